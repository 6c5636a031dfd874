/**
 * The open server's custom emoji (`:name:` → image URL), loaded once per page when first
 * needed (a `:name:` reaction shown, the picker opened), so they show as images.
 */
import { signal } from "@preact/signals";
import { listEmojis } from "./api.ts";

/** name (without colons) → image URL; empty until loaded. */
export const customEmoji = signal<ReadonlyMap<string, string>>(new Map());

let loadedFor: string | null = null;

/** Loads the server's custom emoji once (later calls for the same server do nothing). */
export function loadCustomEmoji(serverId: string | undefined): void {
  // A DM page passes "dm" (its links are /chat/dm/...): no server, so no custom emoji.
  if (!serverId || serverId === "dm" || loadedFor === serverId || typeof document === "undefined") {
    return;
  }
  loadedFor = serverId;
  void listEmojis(serverId).then((result) => {
    if (result.ok) customEmoji.value = new Map(result.value.map((e) => [e.name, e.url]));
    else loadedFor = null;
  });
}
