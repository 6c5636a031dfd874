/** Stored records for store-level tests, with every field a new record has (one place). */
import type { ChannelRecord, ServerRecord, Store, UserRecord } from "../../db/store.ts";

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

/** A user who owns a new server with its `general` channel, straight through the store. */
export async function ownedServer(
  store: Pick<Store, "createUser" | "createServer">,
): Promise<{ owner: string; server: ServerRecord; general: ChannelRecord }> {
  const owner = crypto.randomUUID();
  await store.createUser({
    id: owner,
    username: `o${owner.slice(0, 8)}`,
    displayName: "o",
    bio: "",
    passwordHash: "x",
    avatarVersion: null,
    createdAt: new Date(),
  });
  const server: ServerRecord = {
    id: crypto.randomUUID(),
    name: "S",
    ownerId: owner,
    createdAt: new Date(),
    iconVersion: null,
  };
  const general = channelRecord(server.id, "general", new Date());
  await store.createServer(server, general);
  return { owner, server, general };
}

/** A user named `name` (with a random suffix: usernames are unique), created in the store. */
export async function newUser(store: Store, name: string): Promise<UserRecord> {
  const user: UserRecord = {
    id: crypto.randomUUID(),
    username: `${name}${crypto.randomUUID().slice(0, 6)}`,
    displayName: name,
    bio: "",
    passwordHash: "$2a$04$hash",
    avatarVersion: null,
    createdAt: new Date("2026-01-02T03:04:05.678Z"),
  };
  await store.createUser(user);
  return user;
}
