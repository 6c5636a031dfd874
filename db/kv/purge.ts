/**
 * The bulk of a deleted channel or server, removed in batches after the commit that deleted the
 * records gating it (db/kv/governance_keys.ts): a channel can hold millions of messages and a
 * server thousands of members, far beyond one commit's 1000 mutations. That commit also writes
 * `["purges", kind, id]`, deleted once the purge is complete, so a purge cut short (a crash, a
 * close) resumes when the store opens again. Nothing here is reachable meanwhile; a purge run
 * twice (two instances resuming it) deletes the same keys twice, which is harmless.
 */
import type { MessageRecord } from "../store.ts";
import { authorMessageKey } from "./author_messages.ts";
import { messageWithDefaults } from "./records.ts";
import {
  type SearchAddress,
  searchKeysOf,
  serverSearchPrefix,
  termsOf,
  unpackMessages,
} from "./search_keys.ts";
import { PENDING_PREFIX } from "./search_writer.ts";
import { type ChunkedMeta, deleteChunks, dropImageBytes } from "./chunks.ts";
import { type BlobsOf, iconBlobKey } from "../blob_moves.ts";
import { dropEmojiImage } from "./emojis.ts";
import type { StoredEmoji } from "./conversation_keys.ts";
import {
  changeAtKeyOf,
  emojiChunksOf,
  emojiIdKeyOf,
  messagePinKeyOf,
  summaryKeyOf,
} from "./conversation_keys.ts";
import { COMMIT_MUTATIONS_MAX, deleteInBatches, listAll, whenUnlocked } from "./commits.ts";
import {
  channelKeyOf,
  iconChunksOf,
  iconKeyOf,
  inviteKeyOf,
  memberKeyOf,
  memberStateKeyOf,
  serverChannelKeyOf,
  userServerKeyOf,
} from "./governance_keys.ts";

/** A deletion still being purged ("reactions": of a deleted message, by its id). */
export type Purge =
  | { kind: "channel"; id: string; serverId: string }
  | { kind: "server"; id: string }
  | { kind: "reactions"; id: string };

/** Messages per purge commit (each takes up to 7 deletions). */
const MESSAGES_PER_BATCH = 140;
/** Search keys per purge commit (up to ~150 bytes each: under KV's 80 KiB of keys a commit). */
const SEARCH_KEYS_PER_BATCH = 400;
/** Members per purge commit (each takes 3 deletions). */
const MEMBERS_PER_BATCH = 300;

/** Where a pending purge is recorded. */
export const purgeKeyOf = (purge: Purge): Deno.KvKey => ["purges", purge.kind, purge.id];

/** Thrown inside a purge when the store closes: the rest waits for the next open. */
const STOPPED = Symbol("stopped");

/**
 * Runs purges in the background, one per deletion, and stops them between batches when the
 * store closes. `forgetMember` is told of each membership removed (KnownEntries).
 */
export class Purger {
  #running = new Map<string, Promise<void>>();
  #stopped = false;
  /** Set by `attachBlobs` (KvStore.attachBlobStore): icons' and emoji's blobs go too. */
  #blobs: BlobsOf | null = null;
  /** Set by `attachSearchFlush`: indexes the sends waiting here (db/kv/search_writer.ts). */
  #flushSearch: () => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly kv: Deno.Kv,
    private readonly forgetMember: (serverId: string, userId: string) => void,
  ) {}

  attachBlobs(blobs: BlobsOf): void {
    this.#blobs = blobs;
  }

  /**
   * The search writer's flush: a purge first writes what waits here, so no flush after it puts
   * the purged messages into packs again.
   */
  attachSearchFlush(flush: () => Promise<void>): void {
    this.#flushSearch = flush;
  }

  /** Starts purging (unless this one already runs here). */
  start(purge: Purge): void {
    const id = purgeKeyOf(purge).join("/");
    if (this.#stopped || this.#running.has(id)) return;
    const run = this.#run(purge)
      .catch((error) => {
        // Closing cuts a purge short on purpose; anything else is left for the next open too.
        if (error !== STOPPED && !this.#stopped) console.error(`Purge ${id} failed:`, error);
      })
      .finally(() => this.#running.delete(id));
    this.#running.set(id, run);
  }

  /** Starts every purge recorded as pending (at open). */
  async resume(): Promise<void> {
    for await (const entry of this.kv.list<Purge>({ prefix: ["purges"] })) this.start(entry.value);
  }

  /** Resolves once no purge runs (tests wait for it to look at what is left). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  /** Stops every purge at its next batch and waits for them. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.idle();
  }

  async #run(purge: Purge): Promise<void> {
    if (purge.kind === "channel") await this.#purgeChannel(purge.serverId, purge.id);
    else if (purge.kind === "server") await this.#purgeServer(purge.id);
    else await this.#purgeReactions(purge.id);
    await whenUnlocked(() => this.kv.delete(purgeKeyOf(purge)));
  }

  /** A message's reactor and order keys (its summary went with it). */
  async #purgeReactions(messageId: string): Promise<void> {
    await this.#deletePrefix(["message_reactors", messageId]);
    await this.#deletePrefix(["reaction_order", messageId]);
  }

  /**
   * A channel's messages (with their indexes, reactions, pins and change log), overwrites,
   * counter and (unless its server's purge does them all at once) read markers.
   */
  async #purgeChannel(serverId: string, channelId: string, markers = true): Promise<void> {
    // Its search keys first (they are computed from the messages); a server's purge deletes
    // its whole index by prefix instead.
    if (markers) {
      await this.#flushSearch();
      await this.#purgePending(new Set([channelId]));
      await this.#purgeSearchKeys(serverId, channelId);
    }
    await this.#inBatches(
      { prefix: ["messages", channelId] },
      MESSAGES_PER_BATCH,
      (entry: Deno.KvEntry<MessageRecord>) => {
        const message = entry.value;
        const keys = [
          entry.key,
          ["message_ids", message.id],
          authorMessageKey(message.authorId, message.id),
          summaryKeyOf(message.id),
          messagePinKeyOf(message.id),
          changeAtKeyOf(message.id),
        ];
        if (message.nonce !== null) keys.push(["message_nonces", message.authorId, message.nonce]);
        return keys;
      },
    );
    // Read markers are keyed by user: those of the server's members (markers of people who left
    // stay, unreachable: reads of markers skip channels that are gone).
    if (markers) {
      await this.#inBatches(
        { prefix: ["server_members", serverId] },
        COMMIT_MUTATIONS_MAX,
        (entry) => [["read_markers", entry.key[2] as string, channelId]],
        false,
      );
    }
    for (const entry of await listAll(this.kv, ["channel_reactions", channelId])) {
      this.#checkStopped();
      await this.#purgeReactions(entry.key[2] as string);
    }
    for (const name of ["channel_reactions", "pins"]) await this.#deletePrefix([name, channelId]);
    // The log also names messages deleted before (their entry says so).
    await this.#inBatches(
      { prefix: ["message_changes", channelId] },
      COMMIT_MUTATIONS_MAX / 2,
      (entry) => [entry.key, changeAtKeyOf(entry.key[3] as string)],
    );
    await this.#deletePrefix(["overwrites", serverId, channelId]);
    await whenUnlocked(() =>
      this.kv.atomic()
        .delete(["channel_seq", channelId])
        .delete(channelKeyOf(channelId))
        .delete(serverChannelKeyOf(serverId, channelId))
        .commit()
    );
  }

  /**
   * The members' read markers of every channel, every channel (as above), then memberships and
   * everything else keyed by the server.
   */
  async #purgeServer(serverId: string): Promise<void> {
    const channels = (await listAll(this.kv, ["server_channels", serverId]))
      .map((entry) => entry.key[2] as string);
    await this.#flushSearch();
    await this.#purgePending(new Set(channels));
    await this.#purgeMarkers(serverId, new Set(channels));
    for (const channelId of channels) {
      this.#checkStopped();
      await this.#purgeChannel(serverId, channelId, false);
    }
    await this.#inBatches(
      { prefix: ["server_members", serverId] },
      MEMBERS_PER_BATCH,
      (entry) => {
        const userId = entry.key[2] as string;
        this.forgetMember(serverId, userId);
        return [
          memberKeyOf(serverId, userId),
          userServerKeyOf(userId, serverId),
          memberStateKeyOf(serverId, userId),
        ];
      },
    );
    await this.#inBatches(
      { prefix: ["server_invites", serverId] },
      COMMIT_MUTATIONS_MAX / 2,
      (entry) => [entry.key, inviteKeyOf(entry.key[2] as string)],
    );
    for (const emoji of await listAll<StoredEmoji>(this.kv, ["emojis", serverId])) {
      this.#checkStopped();
      await this.#purgeEmoji(emoji);
    }
    const keyedByServer = [
      "channel_names",
      "member_state",
      "roles",
      "bans",
      "overwrites",
      "audit",
      "emojis",
      "emoji_names",
    ];
    for (const name of keyedByServer) {
      await this.#deletePrefix([name, serverId]);
    }
    await this.#deletePrefix(serverSearchPrefix(serverId));
    await this.#purgeIcon(serverId);
  }

  /**
   * One emoji of a deleted server: its record goes in a commit that checks the value read (the
   * start-up move may flip it to the blob store meanwhile: then it is read again), then the
   * image that value names.
   */
  async #purgeEmoji(entry: Deno.KvEntry<StoredEmoji>): Promise<void> {
    let current: Deno.KvEntryMaybe<StoredEmoji> = entry;
    while (current.value !== null) {
      const deleted = await whenUnlocked(() =>
        this.kv.atomic().check(current).delete(current.key)
          .delete(emojiIdKeyOf(current.value!.id)).commit()
      );
      if (deleted.ok) {
        await dropEmojiImage(this.kv, this.#blobs, current.value);
        break;
      }
      current = await this.kv.get<StoredEmoji>(entry.key);
    }
    // Chunks of an upload cut short or a move's leftovers.
    await deleteChunks(this.kv, emojiChunksOf(entry.value.id));
  }

  /** The icon's meta (checked against the value read, as an emoji's record), then its bytes. */
  async #purgeIcon(serverId: string): Promise<void> {
    for (;;) {
      const entry = await this.kv.get<ChunkedMeta>(iconKeyOf(serverId));
      if (entry.value === null) break;
      const deleted = await whenUnlocked(() =>
        this.kv.atomic().check(entry).delete(entry.key).commit()
      );
      if (deleted.ok) {
        const meta = entry.value;
        const key = iconBlobKey(serverId, meta.version);
        await dropImageBytes(this.kv, this.#blobs, iconChunksOf(serverId), key, meta);
        break;
      }
    }
    await deleteChunks(this.kv, iconChunksOf(serverId));
  }

  /**
   * Each member's markers of these channels: one list of the member's markers each (a user has
   * a marker per channel read, far fewer than members × channels blind deletions).
   */
  async #purgeMarkers(serverId: string, channels: Set<string>): Promise<void> {
    for await (const member of this.kv.list({ prefix: ["server_members", serverId] })) {
      this.#checkStopped();
      const markers = await listAll(this.kv, ["read_markers", member.key[2] as string]);
      const keys = markers.map((entry) => entry.key).filter((key) =>
        channels.has(key[2] as string)
      );
      await deleteInBatches(this.kv, keys);
    }
  }

  /** The search index keys of a channel's messages (db/kv/search_keys.ts). */
  async #purgeSearchKeys(serverId: string, channelId: string): Promise<void> {
    let cursor: string | undefined;
    for (;;) {
      this.#checkStopped();
      const listed = this.kv.list<MessageRecord>({ prefix: ["messages", channelId] }, {
        limit: MESSAGES_PER_BATCH,
        cursor,
      });
      const keys: Deno.KvKey[] = [];
      const packed: { id: string; terms: string[] }[] = [];
      let count = 0;
      for await (const entry of listed) {
        const message = messageWithDefaults(entry.value);
        keys.push(...searchKeysOf(serverId, message));
        packed.push({ id: message.id, terms: termsOf(message) });
        count++;
      }
      await deleteInBatches(this.kv, keys, SEARCH_KEYS_PER_BATCH);
      // And out of the packs of the search writer's flushes.
      if (packed.length > 0) await unpackMessages(this.kv, serverId, packed);
      if (count < MESSAGES_PER_BATCH) return;
      cursor = listed.cursor;
    }
  }

  /**
   * The `search_pending` keys (db/kv/search_writer.ts) naming messages of these channels: left
   * by an instance that stopped before its flush (this instance's are flushed just before). A
   * key naming other channels' messages too keeps those; each commit checks the key as read.
   */
  async #purgePending(channels: Set<string>): Promise<void> {
    for await (const listed of this.kv.list<SearchAddress[]>({ prefix: PENDING_PREFIX })) {
      this.#checkStopped();
      let entry: Deno.KvEntryMaybe<SearchAddress[]> = listed;
      while (entry.value !== null) {
        const rest = entry.value.filter(([channelId]) => !channels.has(channelId));
        if (rest.length === entry.value.length) break;
        const op = this.kv.atomic().check(entry);
        const done = await whenUnlocked(() =>
          (rest.length === 0 ? op.delete(listed.key) : op.set(listed.key, rest)).commit()
        );
        if (done.ok) break;
        entry = await this.kv.get<SearchAddress[]>(listed.key);
      }
    }
  }

  async #deletePrefix(prefix: Deno.KvKey): Promise<void> {
    await this.#inBatches({ prefix }, COMMIT_MUTATIONS_MAX, (entry) => [entry.key]);
  }

  /**
   * Lists `selector` `perBatch` entries at a time and deletes the keys `keysOf` names for each,
   * one commit per batch. With `consumed` (the listed keys are among those deleted), each batch
   * lists from the start again; otherwise it goes on after the last key listed.
   */
  async #inBatches<T>(
    selector: Deno.KvListSelector,
    perBatch: number,
    keysOf: (entry: Deno.KvEntry<T>) => Deno.KvKey[],
    consumed = true,
  ): Promise<void> {
    let cursor: string | undefined;
    for (;;) {
      this.#checkStopped();
      const listed = this.kv.list<T>(selector, { limit: perBatch, cursor });
      let op = this.kv.atomic();
      let count = 0;
      for await (const entry of listed) {
        for (const key of keysOf(entry)) op = op.delete(key);
        count++;
      }
      if (count === 0) return;
      await whenUnlocked(() => op.commit());
      if (count < perBatch) return;
      if (!consumed) cursor = listed.cursor;
    }
  }

  #checkStopped(): void {
    if (this.#stopped) throw STOPPED;
  }
}
