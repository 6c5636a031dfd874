/**
 * The image being viewed full size (the lightbox), if any: which message's images, which one,
 * and what opened it (focus goes back there when it closes). One at a time on a page.
 */
import { signal } from "@preact/signals";
import type { WireAttachment } from "../../lib/realtime/protocol.ts";

export interface Viewing {
  messageId: string;
  /** The message's images, in order: ← and → move between them. */
  images: WireAttachment[];
  index: number;
  opener: HTMLElement | null;
}

export const viewing = signal<Viewing | null>(null);

/** The index `by` steps from `index` among `count` images, wrapping around. */
export function stepIndex(index: number, by: number, count: number): number {
  return ((index + by) % count + count) % count;
}
