/**
 * A native modal <dialog>: the browser keeps focus inside it while it is open (the rest of the
 * page is inert), Escape closes it, and focus goes back to where it was. `open` drives it; it
 * reports every way of closing (Escape included) through `onClose`.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { DIALOG } from "./styles.ts";

export interface ModalProps {
  open: boolean;
  onClose: () => void;
  /** The dialog's accessible name (its visible heading). */
  title: string;
  /** alertdialog: a notice the reader must act on. */
  role?: "dialog" | "alertdialog";
  class?: string;
  children: ComponentChildren;
}

let counter = 0;

export function Modal(
  { open, onClose, title, role = "dialog", class: className, children }: ModalProps,
) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useRef(`modal-${++counter}`);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      role={role === "alertdialog" ? "alertdialog" : undefined}
      aria-labelledby={`${id.current}-title`}
      onClose={onClose}
      // An alert stays until acted on: Escape must not hide it and leave a dead page behind.
      onCancel={role === "alertdialog" ? (event) => event.preventDefault() : undefined}
      class={className ?? DIALOG}
    >
      {open && (
        <div class="flex max-h-[calc(100dvh-2rem)] flex-col">
          <div class="flex items-center gap-2 border-b border-slate-200 px-5 py-3 dark:border-slate-700">
            <h2 id={`${id.current}-title`} class="min-w-0 flex-1 truncate text-lg font-bold">
              {title}
            </h2>
            {role === "dialog" && (
              <button
                type="button"
                onClick={onClose}
                aria-label="Close"
                class="rounded-md px-2 text-xl text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
              >
                ×
              </button>
            )}
          </div>
          <div class="min-h-0 flex-1 overflow-y-auto px-5 py-4">{children}</div>
        </div>
      )}
    </dialog>
  );
}
