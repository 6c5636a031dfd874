/** Messages, reactions and pins over HTTP, for the conversation tests. */
import assert from "node:assert/strict";
import type { WireMessage } from "../../lib/realtime/protocol.ts";
import type { Person } from "./people.ts";

/** Posts a message as `person` (201 expected). */
export async function say(
  person: Person,
  channelId: string,
  content: string,
  extra: Record<string, unknown> = {},
): Promise<WireMessage> {
  const answer = await person.http.json<{ message: WireMessage }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content, ...extra } },
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.message;
}

/** The path of a reaction (the emoji URL-encoded, as clients send it). */
export function reactionPath(messageId: string, emoji: string, userId?: string): string {
  const base = `/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`;
  return userId === undefined ? base : `${base}/${userId}`;
}

/** PUT (or DELETE) a reaction; the status. */
export async function react(
  person: Person,
  messageId: string,
  emoji: string,
  method: "PUT" | "DELETE" = "PUT",
): Promise<number> {
  const response = await person.http.request(method, reactionPath(messageId, emoji));
  await response.body?.cancel();
  return response.status;
}

/** The channel's latest page as `person` reads it. */
export async function page(
  person: Person,
  channelId: string,
  query = "",
): Promise<WireMessage[]> {
  const answer = await person.http.json<{ messages: WireMessage[] }>(
    "GET",
    `/api/channels/${channelId}/messages${query}`,
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.messages;
}

/** One message of the channel's latest page as `person` reads it. */
export async function readBack(
  person: Person,
  channelId: string,
  messageId: string,
): Promise<WireMessage> {
  const found = (await page(person, channelId)).find((m) => m.id === messageId);
  assert.ok(found, `message ${messageId} not on the page`);
  return found;
}
