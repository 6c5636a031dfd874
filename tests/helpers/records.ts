/** Stored records for store-level tests, with every field a new record has (one place). */
import type { ChannelRecord } from "../../db/store.ts";

/** A text channel at the top level, created at `createdAt`; `overrides` set any field. */
export function channelRecord(
  serverId: string,
  name: string,
  createdAt: Date,
  overrides: Partial<ChannelRecord> = {},
): ChannelRecord {
  return {
    id: crypto.randomUUID(),
    serverId,
    name,
    createdAt,
    kind: "text",
    parentId: null,
    topic: "",
    position: 0,
    ...overrides,
  };
}
