/**
 * What the conversation's islands share on one page: the reply being written (the list's
 * Reply sets it, the composer shows and sends it), the highlighted message (a jump or a
 * `?m=` link), and whose profile card is open. Islands share this module's single instance.
 */
import { signal } from "@preact/signals";

/** The message a reply answers: set by Reply, cleared by Cancel reply or the send. */
export const replying = signal<{ id: string; channelId: string; name: string } | null>(null);

/** The message to highlight (a jump's target, or the page's `?m=`). */
export const highlighted = signal<string | null>(null);

/** The user whose profile card is open. */
export const profileOf = signal<string | null>(null);

/** Highlights a message for a few seconds (long enough to see where one landed). */
export function flash(id: string, ms = 4000): void {
  highlighted.value = id;
  setTimeout(() => {
    if (highlighted.peek() === id) highlighted.value = null;
  }, ms);
}
