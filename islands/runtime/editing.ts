/**
 * Editing a sent message, shared by the list (which knows the reader's last message and shows
 * which one is being edited) and the composer (where the editing happens: ↑ in an empty
 * composer starts it, Enter saves, Esc cancels).
 */
import { signal } from "@preact/signals";

export interface EditTarget {
  id: string;
  content: string;
}

/** The reader's latest message in the open channel (what ↑ edits). */
export const lastOwnMessage = signal<EditTarget | null>(null);

/** The message being edited, if any. */
export const editing = signal<EditTarget | null>(null);

/** Starts editing `target` in the composer. */
export function startEditing(target: EditTarget): void {
  editing.value = target;
  document.getElementById("composer")?.focus();
}

/** Saves an edit; resolves to an error message, or null once the server has it. */
export async function saveEdit(id: string, content: string): Promise<string | null> {
  try {
    const response = await fetch(`/api/messages/${id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ content }),
    });
    if (response.ok) return null;
    const body = await response.json().catch(() => null) as { error?: { message?: string } };
    return body?.error?.message ?? `The edit was refused (${response.status}).`;
  } catch {
    return "The edit could not be sent: check the connection and try again.";
  }
}
