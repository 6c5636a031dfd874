/**
 * A destructive action that asks first: the button shows a question with `Cancel` and the
 * confirming button (`confirmLabel`) in its place; focus moves to Cancel, the safe choice.
 */
import type { ComponentChildren } from "preact";
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { DANGER, QUIET } from "./styles.ts";

export interface ConfirmProps {
  /** The first button's text. */
  label: string;
  /** Its accessible name when the visible text is shorter (e.g. `Delete #general`). */
  ariaLabel?: string;
  question: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  /** Extra fields asked with the question (a reason). */
  children?: ComponentChildren;
  class?: string;
  disabled?: boolean;
}

export function Confirm(props: ConfirmProps) {
  const asking = useSignal(false);
  const busy = useSignal(false);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking.value) cancel.current?.focus();
  }, [asking.value]);
  if (!asking.value) {
    return (
      <button
        type="button"
        disabled={props.disabled}
        aria-label={props.ariaLabel}
        onClick={() => asking.value = true}
        class={props.class ?? DANGER}
      >
        {props.label}
      </button>
    );
  }
  return (
    <div
      role="group"
      aria-label={`Confirm: ${props.ariaLabel ?? props.label}`}
      class="space-y-2 rounded-lg border border-red-300 bg-red-50 p-3 dark:border-red-800 dark:bg-red-950"
    >
      <p class="text-sm text-red-900 dark:text-red-100">{props.question}</p>
      {props.children}
      <div class="flex justify-end gap-2">
        <button ref={cancel} type="button" onClick={() => asking.value = false} class={QUIET}>
          Cancel
        </button>
        <button
          type="button"
          disabled={busy.value}
          class={DANGER}
          onClick={async () => {
            busy.value = true;
            try {
              await props.onConfirm();
            } finally {
              busy.value = false;
              asking.value = false;
            }
          }}
        >
          {props.confirmLabel}
        </button>
      </div>
    </div>
  );
}
