/** The message list's pure parts: where the unread divider goes and how the window moves. */
import assert from "node:assert/strict";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import {
  CONTEXT_ABOVE_UNREAD,
  firstUnreadOf,
  firstUnreadOnPage,
  windowAtUnread,
} from "../islands/runtime/first_unread.ts";
import { WINDOW_MAX, WINDOW_STEP, windowOnArrival } from "../islands/runtime/message_window.ts";

function message(seq: number, authorId: string): WireMessage {
  return {
    id: `m${seq}`,
    channelId: "c1",
    seq,
    author: { id: authorId, username: authorId, displayName: authorId, avatarUrl: "/a" },
    content: `${seq}`,
    createdAt: "2026-01-01T10:00:00.000Z",
    editedAt: null,
  };
}

Deno.test("firstUnreadOf - the first message after the marker by someone else", () => {
  const page = [message(4, "me"), message(5, "me"), message(6, "bob"), message(7, "bob")];
  assert.equal(firstUnreadOf(page, 4, "me"), 6, "one's own messages are not news");
  assert.equal(firstUnreadOf(page, 7, "me"), undefined, "all read");
});

Deno.test("firstUnreadOnPage - unknown while older unread messages are not loaded", () => {
  const page = [message(51, "bob"), message(52, "bob")];
  assert.equal(firstUnreadOnPage(page, true, 10, "me"), undefined);
  assert.equal(firstUnreadOnPage(page, true, 50, "me"), 51, "the page starts right after it");
  assert.equal(firstUnreadOnPage(page, false, 10, "me"), 51, "the whole channel is here");
});

Deno.test("windowAtUnread - the unread message near the top, with context above", () => {
  assert.deepEqual(windowAtUnread(5, 50), { start: 0, end: null });
  assert.deepEqual(windowAtUnread(500, 1000), {
    start: 500 - CONTEXT_ABOVE_UNREAD,
    end: 500 - CONTEXT_ABOVE_UNREAD + WINDOW_MAX,
  });
  assert.deepEqual(windowAtUnread(900, 1000), { start: 880, end: null }, "near the end: follows");
});

Deno.test("windowOnArrival - follows at the bottom, stops growing when scrolled up", () => {
  const following = { start: 0, end: null };
  assert.deepEqual(windowOnArrival(following, 10, true), following);
  const long = WINDOW_MAX + WINDOW_STEP + 1;
  assert.deepEqual(windowOnArrival(following, long, true), { start: long - WINDOW_MAX, end: null });
  assert.deepEqual(windowOnArrival(following, 10, false), following, "small: nothing to cap");
  assert.deepEqual(windowOnArrival(following, long, false), { start: 0, end: WINDOW_MAX });
  const reading = { start: 100, end: 400 };
  assert.deepEqual(windowOnArrival(reading, 900, false), reading, "a fixed window stays");
});
