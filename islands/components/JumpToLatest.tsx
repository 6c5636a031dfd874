/** The button shown while scrolled up: back to the latest message, counting what came since. */
export function JumpToLatest({ unseen, onJump }: { unseen: number; onJump: () => void }) {
  return (
    <button
      type="button"
      onClick={onJump}
      class="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-brand-600 px-4 py-1.5 text-sm font-semibold text-white shadow-lg hover:bg-brand-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2"
    >
      {unseen > 0
        ? `${unseen} new ${unseen === 1 ? "message" : "messages"} · Jump to latest`
        : "Jump to latest"}
    </button>
  );
}
