/**
 * Bad input that used to crash or slip through (issue "Accounts people can trust", findings 5
 * and 8), through the real app on both stores: out-of-range cursors, a resume past every seq,
 * and reads past the read budget.
 */
import assert from "node:assert/strict";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { room } from "./helpers/people.ts";

appTest("history - cursors past every seq, or an empty range, give an empty page", async (app) => {
  const { channelId, owner } = await room(app);
  await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
    json: { content: "one" },
  });
  for (
    const query of ["after=2147483648", "after=9999999999", "after=5&before=3", "before=9999999999"]
  ) {
    const page = await owner.http.json<{ messages: WireMessage[] }>(
      "GET",
      `/api/channels/${channelId}/messages?${query}`,
    );
    assert.equal(page.status, 200, query);
    assert.equal(page.body.messages.length, query.startsWith("before") ? 1 : 0, query);
  }
});

appTest(
  "resume - a seq past PostgreSQL's integers replays nothing, without internal_error",
  async (app) => {
    const { channelId, owner } = await room(app);
    const ws = await owner.connect({ lateResume: true });
    ws.send({ type: "resume", channels: { [channelId]: 2 ** 31 } });
    ws.send({ type: "ping" });
    await ws.next("pong");
    assert.deepEqual(ws.all("error"), []);
    await ws.close();
  },
);

appTest(
  "read budget - history pages and resume replays stop at the limit with rate_limited",
  async (app) => {
    const { channelId, owner, member } = await room(app);
    for (let i = 0; i < 30; i++) {
      await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
        json: { content: `m${i}` },
      });
    }
    const pages: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await member.http.json("GET", `/api/channels/${channelId}/messages?limit=20`);
      pages.push(page.status);
      if (page.status === 429) assert.ok(Number(page.headers.get("Retry-After")) > 0);
    }
    assert.deepEqual(pages, [200, 200, 429], "40 read of a budget of 25: the third waits");

    const ws = await owner.connect({ lateResume: true });
    ws.send({ type: "resume", channels: { [channelId]: 0 } });
    ws.send({ type: "resume", channels: { [channelId]: 0 } });
    const error = await ws.next("error");
    assert.equal(error.code, "rate_limited");
    assert.equal(error.channelId, channelId);
    assert.equal(ws.all("message").length, 30, "the first replay went out whole");
    ws.send({ type: "ping" });
    await ws.next("pong");
    assert.equal(ws.socket.readyState, WebSocket.OPEN, "a read limit never closes the socket");
    await ws.close();
  },
  { READ_RATE_LIMIT: "25" },
);
