/** A one-line message above the chat (an error from a form, or a confirmation). */
export function Notice({ text, kind }: { text?: string; kind: "error" | "info" }) {
  if (!text) return null;
  return (
    <p
      role={kind === "error" ? "alert" : "status"}
      class={`px-4 py-2 text-sm ${
        kind === "error"
          ? "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300"
          : "bg-green-50 text-green-800 dark:bg-green-950 dark:text-green-300"
      }`}
    >
      {text}
    </p>
  );
}
