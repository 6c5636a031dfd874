/**
 * `GET /api/messages/:id/reactions/:emoji`, apart from api.ts: only the lazily loaded
 * ReactionUsers chunk calls it, so it stays out of the chat page's first load (its budget).
 */
import type { WireUser } from "../../lib/realtime/protocol.ts";
import { type ApiResult, call } from "./api.ts";

/** The first `limit` who reacted with `emoji`, in the order they did. */
export function listReactionUsers(
  messageId: string,
  emoji: string,
  limit: number,
): Promise<ApiResult<WireUser[]>> {
  return call(
    `/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}?limit=${limit}`,
    { method: "GET" },
    (body) => (body as { users: WireUser[] }).users,
  );
}
