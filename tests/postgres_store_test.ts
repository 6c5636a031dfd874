import assert from "node:assert/strict";
import net from "node:net";
import postgres from "postgres";
import { openPostgresStore, PostgresStore } from "../db/postgres/postgres_store.ts";
import { migrate, readMigrations } from "../db/postgres/migrate.ts";
import { needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";
import { storeContract } from "./store_contract.ts";
import {
  assertLegacyDefaults,
  governanceStoreContract,
  legacyData,
} from "./governance_store_contract.ts";
import { assertLegacyMessage, conversationStoreContract } from "./conversation_store_contract.ts";

storeContract(POSTGRES_BACKEND);
governanceStoreContract(POSTGRES_BACKEND);
conversationStoreContract(POSTGRES_BACKEND);

Deno.test(
  "postgres migrations - applied once, even by instances starting together",
  needs(POSTGRES_BACKEND),
  async () => {
    const url = testDatabaseUrl();
    const schema = `test_${crypto.randomUUID().replaceAll("-", "")}`;
    const stores = await Promise.all(
      [1, 2, 3].map(() => openPostgresStore(url, { schema, max: 1 })),
    );
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const rows = await admin`SELECT version FROM ${
        admin(schema)
      }.schema_migrations ORDER BY version`;
      const expected = (await readMigrations()).map((m) => m.version);
      assert.deepEqual(rows.map((row) => row.version), expected);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
      await admin.end();
    }
  },
);

Deno.test(
  "postgres channelStates - one query, whatever the number of servers and channels",
  needs(POSTGRES_BACKEND),
  async () => {
    const url = testDatabaseUrl();
    const schema = `test_${crypto.randomUUID().replaceAll("-", "")}`;
    const seeding = await openPostgresStore(url, { schema, max: 1 });
    let queries = 0;
    const counted = new PostgresStore(postgres(url, {
      max: 1,
      onnotice: () => {},
      connection: { search_path: schema },
      debug: () => queries++,
    }));
    try {
      const userId = crypto.randomUUID();
      await seeding.createUser({
        id: userId,
        username: "counter",
        displayName: "Counter",
        bio: "",
        passwordHash: "$2a$04$hash",
        avatarVersion: null,
        createdAt: new Date(),
      });
      const serverIds: string[] = [];
      for (let s = 0; s < 5; s++) {
        const server = {
          id: crypto.randomUUID(),
          name: `s${s}`,
          ownerId: userId,
          createdAt: new Date(),
          iconVersion: null,
        };
        await seeding.createServer(server, {
          id: crypto.randomUUID(),
          serverId: server.id,
          name: "general",
          createdAt: new Date(),
          kind: "text",
          parentId: null,
          topic: "",
          position: 0,
        });
        for (let c = 0; c < 6; c++) {
          await seeding.createChannel({
            id: crypto.randomUUID(),
            serverId: server.id,
            name: `c${c}`,
            createdAt: new Date(),
            kind: "text",
            parentId: null,
            topic: "",
            position: 0,
          });
        }
        serverIds.push(server.id);
      }
      // The connection's own set-up (postgres.js reads the database's types) is not counted.
      await counted.findServer(serverIds[0]);
      queries = 0;
      const states = await counted.channelStates(userId, serverIds);
      assert.equal(states.length, 5);
      assert.equal(states.flatMap((state) => state.channels).length, 35);
      assert.equal(queries, 1);
    } finally {
      await counted.close();
      await seeding.close();
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
      await admin.end();
    }
  },
);

Deno.test(
  "postgres migration 008 - rows stored before governance read with the defaults",
  needs(POSTGRES_BACKEND),
  async () => {
    const url = testDatabaseUrl();
    const schema = `test_${crypto.randomUUID().replaceAll("-", "")}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin`CREATE SCHEMA ${admin(schema)}`;
    const old = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
    let store: PostgresStore | undefined;
    try {
      // The database as the version before governance left it: migrations up to 007.
      await migrate(old, { through: 7 });
      const data = legacyData();
      for (const user of [data.owner, data.guest]) {
        await old`INSERT INTO users (id, username, display_name, password_hash, created_at)
          VALUES (${user.id}, ${user.username}, ${user.displayName}, ${user.passwordHash},
            ${user.createdAt})`;
      }
      const { server, channel, invite } = data;
      await old`INSERT INTO servers (id, name, owner_id, created_at)
        VALUES (${server.id}, ${server.name}, ${server.ownerId}, ${server.createdAt})`;
      await old`INSERT INTO server_members (server_id, user_id, joined_at)
        VALUES (${server.id}, ${data.owner.id}, ${server.createdAt}),
          (${server.id}, ${data.guest.id}, ${data.guestJoinedAt})`;
      await old`INSERT INTO channels (id, server_id, name, created_at)
        VALUES (${channel.id}, ${channel.serverId}, ${channel.name}, ${channel.createdAt})`;
      await old`INSERT INTO invites (code, server_id, created_by, created_at)
        VALUES (${invite.code}, ${invite.serverId}, ${invite.createdBy}, ${invite.createdAt})`;

      store = await openPostgresStore(url, { schema, max: 2 });
      await assertLegacyDefaults(store, data);
    } finally {
      await store?.close();
      await old.end();
      await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
      await admin.end();
    }
  },
);

Deno.test(
  "postgres migration 009 - messages stored before conversations read with no reply and no mentions",
  needs(POSTGRES_BACKEND),
  async () => {
    const url = testDatabaseUrl();
    const schema = `test_${crypto.randomUUID().replaceAll("-", "")}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin`CREATE SCHEMA ${admin(schema)}`;
    const old = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
    let store: PostgresStore | undefined;
    try {
      // The database as the version before conversations left it: migrations up to 008.
      await migrate(old, { through: 8 });
      const [userId, serverId, channelId, messageId] = [1, 2, 3, 4].map(() => crypto.randomUUID());
      const at = new Date("2026-01-02T03:04:05.678Z");
      await old`INSERT INTO users (id, username, display_name, password_hash, created_at)
        VALUES (${userId}, 'elder', 'Elder', '$2a$04$hash', ${at})`;
      await old`INSERT INTO servers (id, name, owner_id, created_at)
        VALUES (${serverId}, 'old', ${userId}, ${at})`;
      await old`INSERT INTO server_members (server_id, user_id, joined_at)
        VALUES (${serverId}, ${userId}, ${at})`;
      await old`INSERT INTO channels (id, server_id, name, created_at, last_seq)
        VALUES (${channelId}, ${serverId}, 'general', ${at}, 1)`;
      await old`INSERT INTO messages (id, channel_id, seq, author_id, content, created_at, nonce)
        VALUES (${messageId}, ${channelId}, 1, ${userId}, 'from before', ${at}, NULL)`;

      store = await openPostgresStore(url, { schema, max: 2 });
      await assertLegacyMessage(store, {
        id: messageId,
        channelId,
        seq: 1,
        authorId: userId,
        content: "from before",
        createdAt: at,
        editedAt: null,
        nonce: null,
        replyToId: null,
        mentions: { users: [], everyone: false },
      });
      const later = new Date();
      // A new message after the old one: the counter the old version kept goes on.
      const reply = await store.appendMessage({
        id: crypto.randomUUID(),
        channelId,
        authorId: userId,
        content: "a reply",
        createdAt: later,
        nonce: null,
        replyToId: messageId,
        mentions: { users: [userId], everyone: true },
      }, serverId);
      assert.equal(reply.message.seq, 2);
      assert.deepEqual(await store.findMessage(reply.message.id), reply.message);
    } finally {
      await store?.close();
      await old.end();
      await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
      await admin.end();
    }
  },
);

Deno.test(
  "postgres conversations - round trips: bulk reads one query each, a reaction one transaction",
  needs(POSTGRES_BACKEND),
  async () => {
    const url = testDatabaseUrl();
    const schema = `test_${crypto.randomUUID().replaceAll("-", "")}`;
    const seeding = await openPostgresStore(url, { schema, max: 1 });
    const statements: string[] = [];
    // Socket writes: postgres.js writes the queries issued in one turn together, so a pipelined
    // transaction is one write (one round trip) once its statements are prepared.
    let writes = 0;
    /** postgres.js's `socket` option (its README's "Custom socket"; not in its types). */
    const countingSocket = ({ host: [host], port: [port] }: { host: string[]; port: number[] }) => {
      const socket = net.connect(port, host);
      const write = socket.write;
      socket.write = function (...args: unknown[]) {
        writes++;
        return (write as (...args: unknown[]) => boolean).apply(socket, args);
      } as typeof write;
      return socket;
    };
    const counted = new PostgresStore(postgres(
      url,
      {
        max: 1,
        onnotice: () => {},
        connection: { search_path: schema },
        debug: (_connection: number, query: string) =>
          statements.push(query.trim().split(/\s/)[0].toLowerCase()),
        socket: countingSocket,
      } as Parameters<typeof postgres>[1],
    ));
    /** The statements `work` sends, by their first word. */
    const sent = async (work: () => Promise<unknown>) => {
      statements.length = 0;
      await work();
      return [...statements];
    };
    /** The socket writes `work` makes. */
    const written = async (work: () => Promise<unknown>) => {
      writes = 0;
      await work();
      return writes;
    };
    try {
      const userId = crypto.randomUUID();
      await seeding.createUser({
        id: userId,
        username: "reactor",
        displayName: "Reactor",
        bio: "",
        passwordHash: "$2a$04$hash",
        avatarVersion: null,
        createdAt: new Date(),
      });
      const server = {
        id: crypto.randomUUID(),
        name: "s",
        ownerId: userId,
        createdAt: new Date(),
        iconVersion: null,
      };
      const channelId = crypto.randomUUID();
      await seeding.createServer(server, {
        id: channelId,
        serverId: server.id,
        name: "general",
        createdAt: new Date(),
        kind: "text",
        parentId: null,
        topic: "",
        position: 0,
      });
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        const { message } = await seeding.appendMessage({
          id: crypto.randomUUID(),
          channelId,
          authorId: userId,
          content: `m${i}`,
          createdAt: new Date(),
          nonce: null,
          replyToId: ids.at(-1) ?? null,
          mentions: { users: [userId], everyone: false },
        });
        ids.push(message.id);
        await seeding.addReaction(message.id, "👍", userId, new Date(), 20);
        if (i % 3 === 0) {
          await seeding.pinMessage(
            { channelId, messageId: message.id, pinnedBy: userId, pinnedAt: new Date() },
            null,
          );
        }
      }
      // The connection's own set-up (postgres.js reads the database's types) is not counted.
      await counted.findServer(server.id);
      assert.deepEqual(await sent(() => counted.findMessages(ids)), ["select"]);
      assert.deepEqual(await sent(() => counted.reactionsOf(ids, userId)), ["select"]);
      assert.deepEqual(await sent(() => counted.pinsOf(ids)), ["select"]);
      // To an emoji already there (the common case): the shared lock, then the insert with its
      // change-log entry, pipelined in one transaction.
      assert.deepEqual(
        await sent(() => counted.addReaction(ids[0], "👍", "someone", new Date(), 20)),
        ["begin", "select", "with", "commit"],
      );
      // Those four in one round trip, the statements now prepared on the connection; an emoji
      // new to the message takes two (the shared attempt, then the exclusive one).
      assert.equal(
        await written(() => counted.addReaction(ids[1], "👍", "someone", new Date(), 20)),
        1,
      );
      await counted.addReaction(ids[1], "🎉", "someone", new Date(), 20);
      assert.equal(
        await written(() => counted.addReaction(ids[2], "🎈", "someone", new Date(), 20)),
        2,
      );
      assert.deepEqual(
        await sent(() => counted.removeReaction(ids[0], "👍", "someone", new Date())),
        ["with"],
      );
      assert.deepEqual(
        await sent(() => counted.editMessage(ids[1], "edited", new Date())),
        ["with"],
      );
      assert.deepEqual(
        await sent(() => counted.changedSince(channelId, new Date(0), 100)),
        ["select"],
      );
    } finally {
      await counted.close();
      await seeding.close();
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
      await admin.end();
    }
  },
);
