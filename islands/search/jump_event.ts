/**
 * How the search panel asks the message list to jump to a message of the channel it shows:
 * a cancelable `salon:jump` event on `window` whose detail names the message. The list takes
 * it (jumping as a reply's preview does, loading the history around the message if needed)
 * and cancels it; an event nobody cancelled means no list took it, and the panel opens the
 * message's `?m=` link instead. An event rather than an import: the list is in the page's
 * first load, the panel is not, and neither needs the other's code.
 */

/** The event's type. */
export const JUMP_EVENT = "salon:jump";

/** The event's detail. */
export interface JumpRequest {
  channelId: string;
  id: string;
  seq: number;
}
