/**
 * Which of the loaded messages the list renders. A busy channel may hold 10,000 messages in
 * memory; the DOM only ever holds a window of at most WINDOW_MAX of them around what the reader
 * looks at, moved by WINDOW_STEP as they scroll (the way Discord renders chunks). Heights are
 * real (no estimates): the list keeps the message being read still whenever the window moves.
 *
 * `end: null` means "through the latest message": new messages join the window.
 */
export interface MessageWindow {
  start: number;
  end: number | null;
}

export const WINDOW_MAX = 300;
export const WINDOW_STEP = 100;

const endOf = (window: MessageWindow, length: number) => Math.min(window.end ?? length, length);

/** The latest WINDOW_MAX messages, following new ones. */
export function latestWindow(length: number): MessageWindow {
  return { start: Math.max(0, length - WINDOW_MAX), end: null };
}

/** Shows up to WINDOW_STEP older loaded messages, dropping newer ones beyond WINDOW_MAX. */
export function windowUp(window: MessageWindow, length: number): MessageWindow {
  const start = Math.max(0, window.start - WINDOW_STEP);
  const end = endOf(window, length);
  return { start, end: end - start > WINDOW_MAX ? start + WINDOW_MAX : window.end };
}

/** Shows up to WINDOW_STEP newer loaded messages, dropping older ones beyond WINDOW_MAX. */
export function windowDown(window: MessageWindow, length: number): MessageWindow {
  if (window.end === null) return window;
  const next = window.end + WINDOW_STEP;
  const end = next >= length ? null : next;
  const last = end ?? length;
  return { start: Math.max(window.start, last - WINDOW_MAX), end };
}

/**
 * After `added` older messages were loaded in front of a window starting at 0 (`length` counts
 * them): they show, and newer ones beyond WINDOW_MAX leave the window.
 */
export function windowAfterPrepend(
  window: MessageWindow,
  added: number,
  length: number,
): MessageWindow {
  const end = window.end === null ? length : window.end + added;
  if (end > WINDOW_MAX) return { start: 0, end: WINDOW_MAX };
  return { start: 0, end: window.end === null ? null : end };
}

/**
 * While following the latest, a window that grew by WINDOW_STEP past its size drops its oldest
 * messages (only when the reader is at the bottom, so nothing they look at moves).
 */
export function windowFollow(window: MessageWindow, length: number): MessageWindow {
  if (window.end !== null || length - window.start <= WINDOW_MAX + WINDOW_STEP) return window;
  return latestWindow(length);
}

/** The loaded messages the window shows. */
export function inWindow<T>(messages: T[], window: MessageWindow): T[] {
  return messages.slice(window.start, window.end ?? undefined);
}

/**
 * The window once a new message made the list `length` long. Following the latest, it follows
 * (see windowFollow); scrolled up in a busy channel, it stops growing the DOM at WINDOW_MAX
 * (the jump button leads back).
 */
export function windowOnArrival(
  window: MessageWindow,
  length: number,
  following: boolean,
): MessageWindow {
  if (following) return windowFollow(window, length);
  if (window.end === null && length - window.start > WINDOW_MAX + WINDOW_STEP) {
    return { start: window.start, end: window.start + WINDOW_MAX };
  }
  return window;
}
