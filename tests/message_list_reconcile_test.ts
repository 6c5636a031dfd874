/**
 * The message list's reconcile after `ready`: what changed while the socket was away is
 * applied, and nothing that happened live after the page was requested is undone.
 */
import assert from "node:assert/strict";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import type { ShownMessage } from "../islands/runtime/message_groups.ts";
import { isOvertaken, reconcilePage } from "../islands/runtime/reconcile.ts";

const author = { id: "u1", username: "ann", displayName: "Ann", avatarUrl: "/a" };
function message(seq: number, content = `text ${seq}`, editedAt: string | null = null) {
  return {
    id: `m${seq}`,
    channelId: "c1",
    seq,
    author,
    content,
    createdAt: "2026-01-01T10:00:00.000Z",
    editedAt,
  } satisfies WireMessage;
}
const nothingLive = () => false;

Deno.test("reconcilePage - applies edits and deletions the socket missed, keeps the rest", () => {
  const list: ShownMessage[] = [message(1), message(2), message(3)];
  const page = [message(1), message(3, "fixed", "2026-01-01T10:05:00.000Z")];
  const next = reconcilePage(list, page, nothingLive)!;
  assert.deepEqual(next.map((m) => [m.seq, m.content, !!m.deleted]), [
    [1, "text 1", false],
    [2, "", true],
    [3, "fixed", false],
  ]);
  assert.equal(next[0], list[0], "an unchanged message keeps its object (its row is memoised)");
});

Deno.test("reconcilePage - adds messages it did not have, in seq order", () => {
  const next = reconcilePage(
    [message(1), message(3)],
    [message(1), message(2), message(3)],
    nothingLive,
  )!;
  assert.deepEqual(next.map((m) => m.seq), [1, 2, 3]);
});

Deno.test("reconcilePage - nothing differs: null, so the list does not render", () => {
  assert.equal(
    reconcilePage([message(1), message(2)], [message(1), message(2)], nothingLive),
    null,
  );
  assert.equal(reconcilePage([message(1)], [], nothingLive), null);
});

Deno.test("reconcilePage - a live edit newer than the page is not reverted", () => {
  // The page was requested before the edit and answered after it.
  const edited = message(2, "second take", "2026-01-01T10:05:00.000Z");
  const list = [message(1), edited];
  const stalePage = [message(1), message(2, "second tkae")];
  assert.equal(reconcilePage(list, stalePage, (id) => id === "m2"), null);
  // Even when the caller did not see the change live, an older version never wins.
  assert.equal(reconcilePage(list, stalePage, nothingLive), null);
});

Deno.test("reconcilePage - a message created or deleted live after the request is left alone", () => {
  const list: ShownMessage[] = [message(1), message(2), message(3)];
  // m2 arrived live after the request left; the page saw neither m2 nor m3's deletion yet.
  const page = [message(1), message(3)];
  assert.equal(reconcilePage(list, page, (id) => id === "m2"), null);
});

Deno.test("isOvertaken - an older version of a shown message is dropped", () => {
  const first = message(1, "a", "2026-01-01T10:01:00.000Z");
  const second = message(1, "b", "2026-01-01T10:02:00.000Z");
  assert.equal(isOvertaken(second, first), true, "an earlier edit");
  assert.equal(isOvertaken(second, message(1, "a")), true, "the unedited original");
  assert.equal(isOvertaken(first, second), false, "a later edit");
  assert.equal(isOvertaken(second, second), false, "the same version");
  assert.equal(isOvertaken(undefined, first), false, "a new message");
  assert.equal(isOvertaken({ ...first, deleted: true }, second), true, "deleted stays deleted");
});
