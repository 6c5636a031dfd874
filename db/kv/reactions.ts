/**
 * Reactions on Deno KV (keys in db/kv/conversation_keys.ts). Every add and remove of one
 * message goes through a group commit keyed by the message: what arrives while a commit of that
 * message is in flight waits and goes in the next one, together. A batch is one wave of reads
 * (the message's id entry, channel, summary, change-log entry and the users' reactor entries)
 * and one commit that checks what it read: a summary or reactor rewritten meanwhile (another
 * instance) or a message deleted meanwhile fails it, and the batch is read and applied again. So 50 users
 * reacting to one message cost a commit per batch, not per reaction, and no count is lost.
 *
 * What a batch read and what its commit wrote (with the commit's versionstamp) is remembered
 * for the message's next batch, which then reads only what it does not know (a user new to
 * the message): a busy message's batches are a commit each, no read. Every entry a batch relies
 * on is checked in its commit, so one changed meanwhile (another instance, a deletion) fails
 * it; the message is then forgotten and the batch read again in full.
 */
import { GroupCommit, type Settled } from "../group_commit.ts";
import { retry, TRY_AGAIN } from "../retry.ts";
import type { ReactionCount } from "../conversation_store.ts";
import { TooManyReactionsError } from "../conversation_store.ts";
import { getEntries } from "./commits.ts";
import {
  changeAtKeyOf,
  channelReactionsKeyOf,
  type MessageAddress,
  messageIdKeyOf,
  reactionOrderKeyOf,
  type Reactions,
  type ReactionSummary,
  reactorKeyOf,
  summaryKeyOf,
} from "./conversation_keys.ts";
import { channelKeyOf } from "./governance_keys.ts";
import { idOf } from "./known_entries.ts";
import { isLocked } from "./locked.ts";
import { withChange } from "./message_changes.ts";

/** One addReaction or removeReaction call. */
interface ReactionOp {
  add: boolean;
  messageId: string;
  emoji: string;
  userId: string;
  at: Date;
  maxDistinct: number;
}

/**
 * Reactions one commit carries: each takes up to 3 mutations (reactor, order key, and the
 * order key it replaces) and a check (its reactor) besides the summary, index and change-log
 * ones; below KV's 1000 mutations and 100 checks a commit.
 */
const REACTIONS_PER_BATCH = 50;
/** Batches in flight at once (of different messages: one message never has two). */
const BATCHES_IN_FLIGHT = 4;
/** Tries of a batch that keeps losing to other instances' commits on the same message. */
const BATCH_ATTEMPTS = 100;
/** Message → channel, remembered (a message never moves): a batch then reads in one wave. */
const CHANNELS_REMEMBERED = 10_000;
/** Messages whose entries are remembered between batches (the busiest: the latest used). */
const MESSAGES_REMEMBERED = 1_000;

/** Emoji in display order: as they appeared, ties by emoji. */
function byAppearance(a: { emoji: string; firstAt: number }, b: typeof a): number {
  return a.firstAt - b.firstAt || (a.emoji < b.emoji ? -1 : a.emoji > b.emoji ? 1 : 0);
}

/** What a batch changes, built while its operations are applied in arrival order. */
class BatchState {
  readonly summary: ReactionSummary;
  readonly reactors = new Map<string, Map<string, number>>();
  /** Order keys to write (true) or delete (false), by key id. */
  readonly order = new Map<string, [Deno.KvKey, boolean]>();
  touched = new Set<string>();
  changedAt: Date | null = null;

  constructor(summary: ReactionSummary | null, reactors: Map<string, Reactions | null>) {
    this.summary = (summary ?? []).map((count) => ({ ...count }));
    for (const [userId, reactions] of reactors) this.reactors.set(userId, new Map(reactions ?? []));
  }

  apply(op: ReactionOp): boolean {
    const mine = this.reactors.get(op.userId)!;
    const had = mine.get(op.emoji);
    if (op.add === (had !== undefined)) return false;
    const index = this.summary.findIndex((count) => count.emoji === op.emoji);
    if (op.add) {
      if (index < 0 && this.summary.length >= op.maxDistinct) {
        throw new TooManyReactionsError(op.messageId);
      }
      if (index < 0) this.summary.push({ emoji: op.emoji, count: 1, firstAt: op.at.getTime() });
      else this.summary[index].count++;
      mine.set(op.emoji, op.at.getTime());
      this.#order(reactionOrderKeyOf(op.messageId, op.emoji, op.at.getTime(), op.userId), true);
    } else {
      mine.delete(op.emoji);
      this.#order(reactionOrderKeyOf(op.messageId, op.emoji, had!, op.userId), false);
      if (--this.summary[index].count === 0) this.summary.splice(index, 1);
    }
    this.touched.add(op.userId);
    if (this.changedAt === null || op.at > this.changedAt) this.changedAt = op.at;
    return true;
  }

  #order(key: Deno.KvKey, write: boolean): void {
    this.order.set(idOf(key), [key, write]);
  }
}

/** The reaction methods of the KV store. */
export class KvReactions {
  #channels = new Map<string, string>();
  /** Per message, its entries as its last batch read or wrote them, by key id. */
  #entries = new Map<string, Map<string, Deno.KvEntryMaybe<unknown>>>();
  #batches = new GroupCommit<ReactionOp, boolean | null>(
    (ops) => this.#commit(ops),
    {
      maxBatch: REACTIONS_PER_BATCH,
      maxInFlight: BATCHES_IN_FLIGHT,
      keyOf: (op) => op.messageId,
    },
  );

  constructor(private readonly kv: Deno.Kv) {}

  addReaction(
    messageId: string,
    emoji: string,
    userId: string,
    at: Date,
    maxDistinct: number,
  ): Promise<boolean | null> {
    return this.#batches.submit({ add: true, messageId, emoji, userId, at, maxDistinct });
  }

  async removeReaction(messageId: string, emoji: string, userId: string, at: Date) {
    const op = { add: false, messageId, emoji, userId, at, maxDistinct: 0 };
    return (await this.#batches.submit(op)) === true;
  }

  /** Summaries and the reader's reactor entries of every message: one `getMany` wave. */
  async reactionsOf(messageIds: string[], readerId: string): Promise<Map<string, ReactionCount[]>> {
    const ids = [...new Set(messageIds)];
    const entries = await getEntries<unknown>(
      this.kv,
      ids.flatMap((id) => [summaryKeyOf(id), reactorKeyOf(id, readerId)]),
    );
    const page = new Map<string, ReactionCount[]>();
    ids.forEach((id, i) => {
      const summary = entries[2 * i].value as ReactionSummary | null;
      if (summary === null || summary.length === 0) return;
      const mine = new Set(((entries[2 * i + 1].value ?? []) as Reactions).map(([emoji]) => emoji));
      page.set(
        id,
        [...summary].sort(byAppearance).map(({ emoji, count }) => ({
          emoji,
          count,
          me: mine.has(emoji),
        })),
      );
    });
    return page;
  }

  async listReactionUsers(
    messageId: string,
    emoji: string,
    after: string | undefined,
    limit: number,
  ): Promise<string[]> {
    if (limit <= 0) return [];
    const [summary, cursor] = await this.kv.getMany<[ReactionSummary, Reactions]>([
      summaryKeyOf(messageId),
      reactorKeyOf(messageId, after ?? ""),
    ]);
    // No summary: no reactions, or a deleted message whose keys are being purged.
    if (summary.value === null) return [];
    const prefix = ["reaction_order", messageId, emoji];
    let selector: Deno.KvListSelector = { prefix };
    if (after !== undefined) {
      const at = cursor.value?.find(([e]) => e === emoji)?.[1];
      // The cursor's user took their reaction back: where it was is unknown.
      if (at === undefined) return [];
      selector = { prefix, start: [...prefix, at, after] };
    }
    const users: string[] = [];
    // The start key is inclusive: ask for one more and drop `after` itself.
    const listed = this.kv.list(selector, { limit: limit + (after === undefined ? 0 : 1) });
    for await (const entry of listed) {
      const userId = entry.key[4] as string;
      if (userId !== after) users.push(userId);
    }
    return users.slice(0, limit);
  }

  /** Applies a batch of one message's operations, reading and committing again on a lost race. */
  #commit(ops: ReactionOp[]): Promise<Settled<boolean | null>[]> {
    const messageId = ops[0].messageId;
    return retry(async () => {
      const done = await this.#tryBatch(messageId, ops);
      if (done === TRY_AGAIN) this.#entries.delete(messageId);
      return done;
    }, {
      attempts: BATCH_ATTEMPTS,
      isRetryable: isLocked,
      maxBackOffMs: 20,
      exhausted: () => new Error(`Could not react to message ${messageId}: too much contention`),
    });
  }

  async #tryBatch(
    messageId: string,
    ops: ReactionOp[],
  ): Promise<Settled<boolean | null>[] | typeof TRY_AGAIN> {
    const userIds = [...new Set(ops.map((op) => op.userId))];
    const known = this.#channels.get(messageId);
    const fixed = [messageIdKeyOf(messageId), summaryKeyOf(messageId), changeAtKeyOf(messageId)];
    const { entries, remembered } = await this.#read(messageId, [
      ...fixed,
      ...userIds.map((userId) => reactorKeyOf(messageId, userId)),
      ...(known === undefined ? [] : [channelKeyOf(known)]),
    ]);
    const [address, summary, changeAt] = entries;
    if (address.value === null) {
      this.#entries.delete(messageId);
      return ops.map(({ add }) => ({ ok: true, value: add ? null : false }));
    }
    const [channelId] = address.value as MessageAddress;
    const channel = known === undefined
      ? await this.#rememberChannel(messageId, channelId)
      : entries[entries.length - 1];
    if (channel.versionstamp === null) {
      this.#entries.delete(messageId);
      return ops.map(({ add }) => ({ ok: true, value: add ? null : false }));
    }
    const state = new BatchState(
      summary.value as ReactionSummary | null,
      new Map(userIds.map((id, i) => [id, entries[fixed.length + i].value as Reactions | null])),
    );
    const results = ops.map((op): Settled<boolean | null> => {
      try {
        return { ok: true, value: state.apply(op) };
      } catch (error) {
        return { ok: false, error };
      }
    });
    // Nothing to commit, so nothing checked: answers from remembered entries are read afresh.
    if (state.changedAt === null) return remembered ? TRY_AGAIN : results;
    let op = this.#mutations(state, messageId, channelId)
      .check(address)
      .check(channel)
      .check(summary);
    // getEntries reads in parallel calls of 10 keys, not one snapshot (and remembered entries
    // are older still): every user's entry is checked, a no-op's too (its answer relied on it).
    userIds.forEach((_, i) => op = op.check(entries[fixed.length + i]));
    const committed = await withChange(
      op,
      changeAt as Deno.KvEntryMaybe<number>,
      channelId,
      messageId,
      state.changedAt,
    ).commit();
    if (!committed.ok) return TRY_AGAIN;
    this.#remember(messageId, state, changeAt as Deno.KvEntryMaybe<number>, committed);
    return results;
  }

  /**
   * The entries of `keys`: remembered for the message, or read (and then remembered);
   * `remembered`: some were not read now.
   */
  async #read(
    messageId: string,
    keys: Deno.KvKey[],
  ): Promise<{ entries: Deno.KvEntryMaybe<unknown>[]; remembered: boolean }> {
    let known = this.#entries.get(messageId);
    if (known) {
      // The latest used last out.
      this.#entries.delete(messageId);
    } else {
      known = new Map();
      if (this.#entries.size >= MESSAGES_REMEMBERED) {
        this.#entries.delete(this.#entries.keys().next().value!);
      }
    }
    this.#entries.set(messageId, known);
    const missing = keys.filter((key) => !known.has(idOf(key)));
    for (const entry of await getEntries<unknown>(this.kv, missing)) {
      known.set(idOf(entry.key), entry);
    }
    return {
      entries: keys.map((key) => known.get(idOf(key))!),
      remembered: missing.length < keys.length,
    };
  }

  /** What a committed batch wrote, as its next batch will find it. */
  #remember(
    messageId: string,
    state: BatchState,
    changeAt: Deno.KvEntryMaybe<number>,
    { versionstamp }: Deno.KvCommitResult,
  ): void {
    const known = this.#entries.get(messageId);
    if (!known) return;
    const put = (key: Deno.KvKey, value: unknown) =>
      known.set(
        idOf(key),
        value === null ? { key, value: null, versionstamp: null } : { key, value, versionstamp },
      );
    for (const userId of state.touched) {
      const reactions = [...state.reactors.get(userId)!];
      put(reactorKeyOf(messageId, userId), reactions.length === 0 ? null : reactions);
    }
    put(summaryKeyOf(messageId), state.summary.length === 0 ? null : state.summary);
    const at = state.changedAt!.getTime();
    put(changeAtKeyOf(messageId), changeAt.value === null ? at : Math.max(changeAt.value, at));
  }

  #mutations(state: BatchState, messageId: string, channelId: string): Deno.AtomicOperation {
    let op = this.kv.atomic();
    for (const userId of state.touched) {
      const reactions = [...state.reactors.get(userId)!];
      const key = reactorKeyOf(messageId, userId);
      op = reactions.length === 0 ? op.delete(key) : op.set(key, reactions);
    }
    for (const [key, write] of state.order.values()) {
      op = write ? op.set(key, true) : op.delete(key);
    }
    const index = channelReactionsKeyOf(channelId, messageId);
    if (state.summary.length === 0) return op.delete(summaryKeyOf(messageId)).delete(index);
    return op.set(summaryKeyOf(messageId), state.summary).set(index, true);
  }

  async #rememberChannel(
    messageId: string,
    channelId: string,
  ): Promise<Deno.KvEntryMaybe<unknown>> {
    if (this.#channels.size >= CHANNELS_REMEMBERED) this.#channels.clear();
    this.#channels.set(messageId, channelId);
    return await this.kv.get(channelKeyOf(channelId));
  }
}
