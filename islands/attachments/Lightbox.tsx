/**
 * The lightbox: one of a message's images full size in a modal <dialog> (the page behind is
 * inert), with its name, a Download link, ← / → (and buttons) between the message's images,
 * and Escape or Close to leave, focus going back to the image that opened it. Its own chunk,
 * imported the first time an image is opened (MessageAttachments.tsx).
 */
import { useEffect, useRef } from "preact/hooks";
import { stepIndex, viewing } from "./viewer.ts";

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-semibold text-white hover:bg-white/15 focus-visible:bg-white/15";

export default function Lightbox() {
  const dialog = useRef<HTMLDialogElement>(null);
  const current = viewing.value;
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  if (!current) return null;
  const file = current.images[current.index];
  const count = current.images.length;

  function close() {
    const opener = viewing.peek()?.opener;
    // Closed first: while it is modal the rest of the page is inert and cannot take focus.
    dialog.current?.close();
    viewing.value = null;
    opener?.focus();
  }
  function step(by: number) {
    const now = viewing.peek();
    if (now) viewing.value = { ...now, index: stepIndex(now.index, by, now.images.length) };
  }

  return (
    <dialog
      ref={dialog}
      aria-labelledby="lightbox-title"
      data-lightbox=""
      // Escape: the dialog's own cancel, closed here so that focus goes back to the opener.
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
      onKeyDown={(event) => {
        if (count < 2) return;
        if (event.key === "ArrowLeft") step(-1);
        else if (event.key === "ArrowRight") step(1);
        else return;
        event.preventDefault();
      }}
      class="m-0 h-dvh max-h-none w-screen max-w-none bg-black/90 p-0 text-white backdrop:bg-black/60"
    >
      <div class="flex h-full flex-col">
        <div class="flex items-center gap-2 px-3 py-2">
          <h2 id="lightbox-title" class="min-w-0 flex-1 truncate font-semibold">
            {file.filename}
          </h2>
          {count > 1 && (
            <span class="shrink-0 text-sm text-white/70">{current.index + 1} of {count}</span>
          )}
          <a href={file.url} download={file.filename} class={BUTTON}>Download</a>
          <button type="button" class={BUTTON} aria-label="Close" onClick={close}>✕</button>
        </div>
        <div
          class="relative flex min-h-0 flex-1 items-center justify-center p-2"
          // A click around the image (not on it or a button) closes, as a backdrop's would.
          onClick={(event) => {
            if (event.target === event.currentTarget) close();
          }}
        >
          <img
            key={file.id}
            src={file.url}
            alt={file.filename}
            width={file.width ?? undefined}
            height={file.height ?? undefined}
            class="h-auto max-h-full w-auto max-w-full object-contain"
          />
          {count > 1 && (
            <>
              <button
                type="button"
                aria-label="Previous image"
                onClick={() => step(-1)}
                class={`${BUTTON} absolute left-2 top-1/2 -translate-y-1/2 bg-black/50 text-2xl`}
              >
                ‹
              </button>
              <button
                type="button"
                aria-label="Next image"
                onClick={() => step(1)}
                class={`${BUTTON} absolute right-2 top-1/2 -translate-y-1/2 bg-black/50 text-2xl`}
              >
                ›
              </button>
            </>
          )}
        </div>
      </div>
    </dialog>
  );
}
