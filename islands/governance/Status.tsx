/** A line saying how the last action went; read out politely (errors assertively). */
import type { Signal } from "@preact/signals";

export interface Note {
  text: string;
  error: boolean;
}

export function Status({ note }: { note: Signal<Note | null> }) {
  const value = note.value;
  return (
    <p
      role={value?.error ? "alert" : "status"}
      class={`min-h-5 text-sm ${
        value?.error ? "text-red-700 dark:text-red-300" : "text-green-800 dark:text-green-300"
      }`}
    >
      {value?.text ?? ""}
    </p>
  );
}
