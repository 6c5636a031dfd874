/**
 * The write queue both stores put `appendMessage` calls in: a group commit whose batches are
 * keyed by channel (two batches of one channel are never in flight at once).
 */
import { GroupCommit } from "./group_commit.ts";
import type { Settled } from "./group_commit.ts";
import type { MessageRecord, NewMessage } from "./store.ts";

/** One `appendMessage` call. */
export interface AppendInput {
  message: NewMessage;
  memberOf?: string;
}

export type AppendResult = { message: MessageRecord; created: boolean };

export function appendQueue(
  commit: (batch: AppendInput[]) => Promise<Settled<AppendResult>[]>,
  maxBatch: number,
  maxInFlight: number,
): GroupCommit<AppendInput, AppendResult> {
  return new GroupCommit(commit, maxBatch, maxInFlight, ({ message }) => message.channelId);
}
