/**
 * Editing a sent message, shared by the list (which knows the reader's last message and shows
 * which one is being edited) and the composer (where the editing happens: ↑ in an empty
 * composer starts it, Enter saves, Esc cancels).
 */
import { signal } from "@preact/signals";
import type { WireMessage } from "../../lib/realtime/protocol.ts";
import { editMessage } from "./api.ts";

export interface EditTarget {
  id: string;
  content: string;
}

/** The reader's latest message in the open channel (what ↑ edits). */
export const lastOwnMessage = signal<EditTarget | null>(null);

/** The message being edited, if any. */
export const editing = signal<EditTarget | null>(null);

type SavedListener = (message: WireMessage) => void;
const savedListeners = new Set<SavedListener>();

/** Starts editing `target` in the composer. */
export function startEditing(target: EditTarget): void {
  editing.value = target;
  document.getElementById("composer")?.focus();
}

/**
 * Calls `listener` with each message as an edit saved here left it, as soon as the server
 * answers (before its `message_updated` comes over the socket); returns the unsubscribe.
 */
export function onEditSaved(listener: SavedListener): () => void {
  savedListeners.add(listener);
  return () => savedListeners.delete(listener);
}

/**
 * Saves an edit; resolves to an error message, or null once the server has it. The list hears
 * of it first, so ↑ right after never brings back the text from before the edit.
 */
export async function saveEdit(id: string, content: string): Promise<string | null> {
  const result = await editMessage(id, content);
  if (!result.ok) {
    return result.error.status === 0
      ? "The edit could not be sent: check the connection and try again."
      : result.error.message;
  }
  for (const listener of savedListeners) listener(result.value);
  return null;
}
