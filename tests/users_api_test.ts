/**
 * `GET /api/users/:id` (profile cards) and `user_updated` on both stores: anyone sharing a
 * server sees the user, a stranger gets 404; a profile or avatar change reaches the sockets of
 * everyone sharing a server, live, and nobody else.
 */
import assert from "node:assert/strict";
import type { WireUser } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { PNG_1X1 } from "./helpers/fixtures.ts";
import { assertError } from "./helpers/governance.ts";
import { room } from "./helpers/people.ts";

appTest("GET /api/users/:id - for those sharing a server", async (app) => {
  const { owner, member, outsider } = await room(app);
  const seen = await member.http.json<{ user: WireUser }>("GET", `/api/users/${owner.id}`);
  assert.equal(seen.status, 200);
  assert.deepEqual(
    [seen.body.user.id, seen.body.user.username, typeof seen.body.user.bio],
    [owner.id, "owner", "string"],
  );
  assert.equal((seen.body.user as unknown as Record<string, unknown>).email, undefined);
  const self = await outsider.http.json<{ user: WireUser }>("GET", `/api/users/${outsider.id}`);
  assert.equal(self.body.user.id, outsider.id);
  assertError(await outsider.http.json("GET", `/api/users/${owner.id}`), 404, "not_found");
  assertError(await member.http.json("GET", `/api/users/${outsider.id}`), 404, "not_found");
  assertError(await member.http.json("GET", "/api/users/nobody"), 404, "not_found");
  assertError(await member.http.json("GET", `/api/users/${"x".repeat(300)}`), 404, "not_found");
  const anonymous = await fetch(`${app.url}/api/users/${owner.id}`);
  await anonymous.body?.cancel();
  assert.equal(anonymous.status, 401);
});

appTest("user_updated - profile and avatar changes reach those sharing a server", async (app) => {
  const { owner, member, outsider } = await room(app);
  const [memberWs, outsiderWs] = await Promise.all([member.connect(), outsider.connect()]);
  const patched = await owner.http.json("PATCH", "/api/me", {
    json: { displayName: "The Owner", bio: "hello" },
  });
  assert.equal(patched.status, 200);
  const updated = await memberWs.next("user_updated");
  assert.deepEqual(
    [updated.user.id, updated.user.displayName, updated.user.bio],
    [owner.id, "The Owner", "hello"],
  );
  const avatar = await owner.http.request("PUT", "/api/me/avatar", {
    body: PNG_1X1,
    headers: { "Content-Type": "image/png" },
  });
  assert.equal(avatar.status, 200, await avatar.text());
  const withAvatar = await memberWs.next(
    "user_updated",
    (e) => e.user.avatarUrl !== updated.user.avatarUrl,
  );
  assert.match(withAvatar.user.avatarUrl, /\?v=/);
  // The outsider shares no server: the member heard both, so both were dispatched; the
  // outsider's socket (answering a ping since) heard neither.
  outsiderWs.send({ type: "ping" });
  await outsiderWs.next("pong");
  assert.equal(outsiderWs.all("user_updated").length, 0);
  await Promise.all([memberWs.close(), outsiderWs.close()]);
});
