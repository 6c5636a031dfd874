/**
 * The write queue both stores put `appendMessage` calls in: a group commit whose batches are
 * keyed by channel (two batches of one channel are never in flight at once).
 */
import { GroupCommit, settle } from "./group_commit.ts";
import type { GroupCommitOptions, Settled } from "./group_commit.ts";
import type { MessageRecord, NewMessage } from "./store.ts";

/** One `appendMessage` call. */
export interface AppendInput {
  message: NewMessage;
  memberOf?: string;
}

export type AppendResult = { message: MessageRecord; created: boolean };

export function appendQueue(
  commit: (batch: AppendInput[]) => Promise<Settled<AppendResult>[]>,
  options: Omit<GroupCommitOptions<AppendInput>, "keyOf">,
): GroupCommit<AppendInput, AppendResult> {
  return new GroupCommit(commit, { ...options, keyOf: ({ message }) => message.channelId });
}

/**
 * A batch's results in input order: what `written` holds for an input is its result; every
 * other input goes through `appendOne` (the one-at-a-time path, which says exactly what
 * happened), one after another so that inputs of one channel keep their order.
 */
export async function settleRest(
  batch: AppendInput[],
  written: (AppendResult | undefined)[],
  appendOne: (input: AppendInput) => Promise<AppendResult>,
): Promise<Settled<AppendResult>[]> {
  const results: Settled<AppendResult>[] = [];
  for (const [i, input] of batch.entries()) {
    const done = written[i];
    results.push(done ? { ok: true, value: done } : await settle(() => appendOne(input)));
  }
  return results;
}
