/**
 * GET /api/servers/:id/audit-log through the real app on both stores: view_audit_log, the
 * entry's shape, newest first, paging with `before`, filters and bad parameters.
 */
import assert from "node:assert/strict";
import { AUDIT_PAGE_MAX } from "../lib/limits.ts";
import type { WireAuditEntry } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { grant } from "./helpers/grant_role.ts";
import { room } from "./helpers/people.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

appTest(
  "GET /api/servers/:id/audit-log - view_audit_log, newest first, paged, filtered",
  async (app) => {
    const { serverId, channelId, owner, member, outsider } = await room(app);
    const log = (who: typeof owner, query = "") =>
      who.http.json<{ entries: WireAuditEntry[] } & ErrorBody>(
        "GET",
        `/api/servers/${serverId}/audit-log${query}`,
      );
    const refused = await log(member);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "missing_permissions");
    assert.match(refused.body.error.message, /view_audit_log/);
    assert.equal((await log(outsider)).status, 404);

    for (const name of ["one", "two", "three"]) {
      await owner.http.json("PATCH", `/api/servers/${serverId}`, { json: { name } });
    }
    await owner.http.json("PATCH", `/api/channels/${channelId}`, { json: { topic: "hi" } });
    await grant(owner, serverId, member, ["view_audit_log", "manage_server"]);
    await member.http.json("PATCH", `/api/servers/${serverId}`, { json: { name: "four" } });

    const all = await log(member);
    assert.equal(all.status, 200);
    const updates = all.body.entries.filter((e) => e.action === "server_update");
    assert.deepEqual(updates.map((e) => e.changes[0].new), ["four", "three", "two", "one"]);
    const newest = all.body.entries[0];
    assert.deepEqual(Object.keys(newest).sort(), [
      "action",
      "actorId",
      "changes",
      "createdAt",
      "id",
      "reason",
      "targetId",
      "targetType",
    ]);
    assert.deepEqual(
      [newest.action, newest.actorId, newest.targetType, newest.targetId, newest.reason],
      ["server_update", member.id, "server", serverId, null],
    );
    assert.ok(!Number.isNaN(Date.parse(newest.createdAt)));
    const ids = all.body.entries.map((e) => e.id);
    assert.deepEqual([...ids].sort().reverse(), ids, "newest first by id");

    const byOwner = await log(member, `?action=server_update&actorId=${owner.id}`);
    assert.deepEqual(byOwner.body.entries.map((e) => e.changes[0].new), ["three", "two", "one"]);
    const channelUpdates = await log(member, "?action=channel_update");
    assert.deepEqual(channelUpdates.body.entries.map((e) => e.targetId), [channelId]);

    const first = await log(member, "?action=server_update&limit=2");
    assert.deepEqual(first.body.entries.map((e) => e.changes[0].new), ["four", "three"]);
    const next = await log(
      member,
      `?action=server_update&limit=2&before=${first.body.entries[1].id}`,
    );
    assert.deepEqual(next.body.entries.map((e) => e.changes[0].new), ["two", "one"]);
    const end = await log(member, `?action=server_update&before=${next.body.entries[1].id}`);
    assert.deepEqual(end.body.entries, []);

    const bad: [string, string][] = [
      ["?action=nonsense", "invalid_action"],
      ["?limit=0", "invalid_limit"],
      [`?limit=${AUDIT_PAGE_MAX + 1}`, "invalid_limit"],
      ["?limit=ten", "invalid_limit"],
      ["?before=not-an-id", "invalid_cursor"],
      [`?actorId=${"x".repeat(500)}`, "invalid_actor"],
    ];
    for (const [query, code] of bad) {
      const answer = await log(member, query);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.error.code, code, query);
    }
  },
);
