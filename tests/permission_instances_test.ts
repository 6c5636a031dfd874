/**
 * Two app instances over one store: a permission snapshot that has not yet heard of a join, a
 * new channel or a new role (the event is still on its way) never refuses what the store
 * already shows; one that has not heard of a removal is still refused where it matters (the
 * send's own membership check). On both shared buses.
 */
import assert from "node:assert/strict";
import type { WireChannel, WireRole } from "../lib/realtime/protocol.ts";
import { KV_BACKEND, needs, POSTGRES_BACKEND } from "./helpers/backends.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { register } from "./helpers/people.ts";
import { startTestApp } from "./helpers/test_app.ts";

const SHARED_BUSES: { name: string; backend: typeof KV_BACKEND; env: Record<string, string> }[] = [
  { name: "postgres", backend: POSTGRES_BACKEND, env: {} },
  { name: "kv", backend: KV_BACKEND, env: { BUS: "kv" } },
];

/** The same person's session on another instance. */
function on(url: string, cookie: string | undefined): HttpClient {
  const client = new HttpClient(url);
  client.cookie = cookie;
  return client;
}

for (const { name, backend, env } of SHARED_BUSES) {
  Deno.test(
    `two instances - what one instance just did is usable on the other at once (${name} bus)`,
    needs(backend),
    async () => {
      const a = await startTestApp(backend, env);
      try {
        const b = await a.startAnother();
        const [owner, member] = [await register(a, "owner"), await register(a, "member")];
        const created = await owner.http.json<{
          server: { id: string };
          channels: WireChannel[];
        }>("POST", "/api/servers", { json: { name: "Two" } });
        const serverId = created.body.server.id;
        const general = created.body.channels[0].id;
        const ownerOnB = on(b.url, owner.http.cookie);
        const memberOnB = on(b.url, member.http.cookie);
        // B loads the server's snapshot before the member joins on A.
        assert.equal((await ownerOnB.json("GET", `/api/servers/${serverId}`)).status, 200);
        const invite = await owner.http.json<{ code: string }>(
          "POST",
          `/api/servers/${serverId}/invites`,
        );
        await member.http.json("POST", `/api/invites/${invite.body.code}/join`);
        const sent = await memberOnB.json("POST", `/api/channels/${general}/messages`, {
          json: { content: "joined on A, sending on B" },
        });
        assert.equal(sent.status, 201, JSON.stringify(sent.body));

        const made = await owner.http.json<{ channel: WireChannel }>(
          "POST",
          `/api/servers/${serverId}/channels`,
          { json: { name: "fresh" } },
        );
        const fresh = await memberOnB.json("GET", `/api/channels/${made.body.channel.id}/messages`);
        assert.equal(fresh.status, 200, JSON.stringify(fresh.body));

        const role = await owner.http.json<{ role: WireRole }>(
          "POST",
          `/api/servers/${serverId}/roles`,
          { json: { name: "New" } },
        );
        const given = await ownerOnB.request(
          "PUT",
          `/api/servers/${serverId}/members/${member.id}/roles/${role.body.role.id}`,
        );
        // B may not have heard of the role yet: it reads the server again rather than refuse.
        assert.equal(given.status, 204);

        await member.http.request("DELETE", `/api/servers/${serverId}/members/me`);
        const after = await memberOnB.json("POST", `/api/channels/${general}/messages`, {
          json: { content: "left on A" },
        });
        assert.equal(after.status, 404);
        const history = await memberOnB.json("GET", `/api/channels/${general}/messages`);
        assert.equal(history.status, 404);
      } finally {
        await a.close();
      }
    },
  );
}
