/**
 * Where the list's scroll position goes after each render: to the first unread message when
 * the channel opens there; else the message at the top of the view stays still across a change
 * above it (older history, a window move); else the view stays at the bottom if the reader was
 * there (`stick`).
 */
import { useLayoutEffect, useRef } from "preact/hooks";
import type { RefObject } from "preact";

/** Space left above the "New messages" divider when the list opens on it. */
const UNREAD_MARGIN_PX = 8;

export interface ScrollKeeper {
  scroller: RefObject<HTMLDivElement | null>;
  /** The reader is at the bottom: new messages keep the view there. */
  stick: RefObject<boolean>;
  /** Notes the first message in view and its position, before the list changes above it. */
  captureAnchor(): void;
  /** A render that places the view is on its way: scroll events should wait for it. */
  placing(): boolean;
  /** The next render brings the "New messages" divider to the top. */
  showUnreadNext(): void;
  /** The next render goes to the bottom at once. */
  jumpToBottomNext(): void;
  /** Pixels between the bottom of the view and the bottom of the list. */
  fromBottom(): number;
  /** Brings the message `seq` to the middle of the view, now if it is shown, else next render. */
  centerOn(seq: number): void;
}

/** Scrolls `element` so the message `seq` is in its middle; false if it is not rendered. */
function center(element: HTMLElement, seq: number): boolean {
  const node = element.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
  if (!node) return false;
  const view = element.getBoundingClientRect();
  const rect = node.getBoundingClientRect();
  element.scrollTop += rect.top - view.top - (view.height - rect.height) / 2;
  return true;
}

/**
 * Keeps the view in place; `onUnreadShown` runs once the view was moved to the divider.
 * `openAt`: the seq the page opens on (a message link), instead of the bottom or the divider.
 */
export function useScrollKeeper(
  openAtUnread: boolean,
  onUnreadShown: () => void,
  openAt?: number,
): ScrollKeeper {
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const anchor = useRef<{ seq: number; top: number } | null>(null);
  const toUnread = useRef(false);
  const jumped = useRef(false);
  const stickFrame = useRef(0);
  const target = useRef<number | null>(null);

  useLayoutEffect(() => {
    toUnread.current = openAtUnread && openAt === undefined;
    stick.current = !openAtUnread && openAt === undefined;
    if (openAt !== undefined && scroller.current && !center(scroller.current, openAt)) {
      target.current = openAt;
    }
  }, []);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (target.current !== null) {
      if (center(element, target.current)) {
        target.current = null;
        anchor.current = null;
        toUnread.current = false;
      }
      return;
    }
    const divider = element.querySelector<HTMLElement>("[data-first-unread]");
    if (toUnread.current && divider) {
      toUnread.current = false;
      anchor.current = null;
      element.scrollTop += divider.getBoundingClientRect().top -
        element.getBoundingClientRect().top - UNREAD_MARGIN_PX;
      onUnreadShown();
    } else if (anchor.current) {
      const { seq, top } = anchor.current;
      anchor.current = null;
      const node = element.querySelector(`[data-seq="${seq}"]`);
      if (node) element.scrollTop += node.getBoundingClientRect().top - top;
    } else if (jumped.current) {
      // At once: a scroll event before the next frame would otherwise see the reader far from
      // the bottom and move the window back up.
      jumped.current = false;
      element.scrollTop = element.scrollHeight;
    } else if (stick.current) {
      // Just before the next paint: layout then runs once per frame, however many messages
      // arrive in it, and not on the way from the socket to the DOM.
      cancelAnimationFrame(stickFrame.current);
      stickFrame.current = requestAnimationFrame(() => {
        if (stick.current) element.scrollTop = element.scrollHeight;
      });
    }
  });

  function captureAnchor() {
    const element = scroller.current;
    if (!element) return;
    const top = element.getBoundingClientRect().top;
    for (const node of element.querySelectorAll<HTMLElement>("[data-seq]")) {
      const rect = node.getBoundingClientRect();
      if (rect.bottom > top) {
        anchor.current = { seq: Number(node.dataset.seq), top: rect.top };
        return;
      }
    }
  }

  return {
    scroller,
    stick,
    captureAnchor,
    placing: () => anchor.current !== null || toUnread.current || target.current !== null,
    centerOn(seq) {
      stick.current = false;
      anchor.current = null;
      toUnread.current = false;
      const element = scroller.current;
      target.current = element && center(element, seq) ? null : seq;
    },
    showUnreadNext() {
      stick.current = false;
      toUnread.current = true;
    },
    jumpToBottomNext() {
      anchor.current = null;
      jumped.current = true;
      stick.current = true;
    },
    fromBottom() {
      const element = scroller.current!;
      return element.scrollHeight - element.scrollTop - element.clientHeight;
    },
  };
}
