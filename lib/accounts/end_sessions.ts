/**
 * Ending every session of a user at once (a suspension, a password reset): the stored sessions
 * go first, so no token of theirs is accepted any more, then each one's sockets are closed.
 */
import type { Store } from "../../db/store.ts";

/** Deletes all of the user's sessions and tells `onSessionEnded` of each; returns their ids. */
export async function endSessionsOf(
  store: Store,
  userId: string,
  onSessionEnded: (sessionId: string) => void,
): Promise<string[]> {
  const ended = await store.deleteSessionsOf(userId);
  for (const sessionId of ended) onSessionEnded(sessionId);
  return ended;
}
