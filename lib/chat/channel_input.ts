/**
 * Checks of a channel's fields as a create (or a later edit) gives them: kind, category and
 * topic. The name has its own rule in lib/text.ts (`cleanChannelName`).
 */
import type { ChannelRecord } from "../../db/store.ts";
import { Invalid } from "../errors.ts";
import { CHANNEL_TOPIC_MAX_LENGTH } from "../limits.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import { characterCount } from "../text.ts";

// The same characters names refuse: C0/C1 controls (line breaks and tabs allowed in a topic)
// and the bidi overrides that can disguise text.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** `kind`: "text" (the default) or "category". */
export function checkChannelKind(raw: unknown): ChannelRecord["kind"] {
  if (raw === undefined || raw === null) return "text";
  if (raw !== "text" && raw !== "category") {
    throw new Invalid(
      "invalid_channel_kind",
      `kind must be "text" or "category": got ${JSON.stringify(raw)}.`,
      "kind",
    );
  }
  return raw;
}

/** A topic: up to CHANNEL_TOPIC_MAX_LENGTH characters, trimmed; "" when absent. */
export function cleanTopic(raw: unknown): string {
  if (raw === undefined || raw === null) return "";
  if (typeof raw !== "string" || !raw.isWellFormed()) {
    throw new Invalid("invalid_topic", "topic must be text.", "topic");
  }
  const topic = raw.replace(/\r\n?/g, "\n").trim();
  if (CONTROL.test(topic)) {
    throw new Invalid("invalid_topic", "topic contains control characters.", "topic");
  }
  const length = characterCount(topic);
  if (length > CHANNEL_TOPIC_MAX_LENGTH) {
    throw new Invalid(
      "invalid_topic",
      `topic must be at most ${CHANNEL_TOPIC_MAX_LENGTH} characters: it has ${length}.`,
      "topic",
    );
  }
  return topic;
}

/**
 * `parentId`: null, or a category of the same server; a category itself sits in none.
 */
export function checkParent(
  access: ServerAccess,
  kind: ChannelRecord["kind"],
  raw: unknown,
): string | null {
  if (raw === undefined || raw === null) return null;
  if (kind === "category") {
    throw new Invalid("invalid_parent", "A category cannot sit in another category.", "parentId");
  }
  const parent = typeof raw === "string" ? access.channel(raw) : undefined;
  if (!parent || parent.kind !== "category") {
    throw new Invalid(
      "invalid_parent",
      "parentId must be the id of a category of this server.",
      "parentId",
    );
  }
  return parent.id;
}

/** The position after the last one among the channels sharing `parentId` (0 for the first). */
export function nextPosition(access: ServerAccess, parentId: string | null): number {
  const siblings = access.channels().filter((channel) => channel.parentId === parentId);
  return siblings.reduce((last, channel) => Math.max(last, channel.position + 1), 0);
}
