/**
 * Which message shows its actions because it was tapped. A mouse shows them on hover and a
 * keyboard on focus; a touch screen has neither, so a tap on a message opens its actions and a
 * tap anywhere else closes them. One message at a time, for the whole page.
 */
import { signal } from "@preact/signals";

/** The id of the tapped message, or null. */
export const tappedMessage = signal<string | null>(null);

let listening = false;

/**
 * Follows taps on the page once (later calls do nothing). A click counts as a tap when the
 * pointer pressed before it was a finger or a pen, so a mouse click never opens actions.
 */
export function followTaps(): void {
  if (listening) return;
  listening = true;
  let touch = false;
  document.addEventListener("pointerdown", (event) => touch = event.pointerType !== "mouse", {
    capture: true,
  });
  document.addEventListener("click", (event) => {
    if (!touch) return;
    const row = (event.target as Element | null)?.closest?.("[data-message-id]") as
      | HTMLElement
      | null;
    tappedMessage.value = row?.dataset.messageId ?? null;
  }, { capture: true });
}
