/**
 * Restart the real server process (SIGTERM, then start again) under steady traffic: sockets are
 * closed with 1012, clients reconnect with jittered back-off and resume, unacknowledged sends go
 * again with their nonces, and every acked message is seen exactly once, in order. On Deno KV
 * (a file) and on PostgreSQL (a database of its own).
 */
import assert from "node:assert/strict";
import { needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { assertExactlyOnce, ResilientClient, storedHistory } from "./helpers/resilient_client.ts";
import { eventually } from "./helpers/wait.ts";
import { freePort, scratchDatabase } from "./helpers/scratch.ts";

const ROOT = new URL("../", import.meta.url);

/** Starts main.ts and resolves once it listens. */
async function startServer(env: Record<string, string>): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts"],
    cwd: ROOT,
    env: { ...env, SALON_SKIP_BUILD: "1", BCRYPT_COST: "4", RATE_LIMITS: "off" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (!output.includes("Salon listening")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`main.ts exited before listening: ${output}`);
    output += value;
  }
  void (async () => {
    while (!(await reader.read()).done);
  })();
  return child;
}

async function restartUnderTraffic(env: Record<string, string>): Promise<void> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  let server = await startServer({ ...env, PORT: String(port) });
  const clients: ResilientClient[] = [];
  try {
    const alice = new HttpClient(base);
    const bob = new HttpClient(base);
    for (const [client, username] of [[alice, "alice"], [bob, "bob"]] as const) {
      const response = await client.json("POST", "/api/auth/register", {
        json: { username, password: "correct horse" },
      });
      assert.equal(response.status, 201);
    }
    const created = await alice.json<{ server: { id: string }; channels: { id: string }[] }>(
      "POST",
      "/api/servers",
      {
        json: { name: "Restart" },
      },
    );
    const channelId = created.body.channels[0].id;
    const invite = await alice.json<{ code: string }>(
      "POST",
      `/api/servers/${created.body.server.id}/invites`,
    );
    await bob.json("POST", `/api/invites/${invite.body.code}/join`);

    clients.push(
      new ResilientClient(base, alice.cookie!, "alice", [channelId]),
      new ResilientClient(base, bob.cookie!, "bob", [channelId]),
    );
    for (const client of clients) client.start();

    // Steady traffic for a while, a graceful stop and a new process in the middle of it.
    let sending = true;
    const traffic = (async () => {
      for (let i = 0; sending; i++) {
        clients[i % 2].send(channelId, `message ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 700));
    server.kill("SIGTERM");
    assert.equal((await server.status).code, 0, "SIGTERM stops the server cleanly");
    await new Promise((resolve) => setTimeout(resolve, 300));
    server = await startServer({ ...env, PORT: String(port) });
    await new Promise((resolve) => setTimeout(resolve, 700));
    sending = false;
    await traffic;

    await eventually(
      () => clients.every((client) => client.outbox.size === 0),
      "every send acknowledged",
    );
    const stored = await storedHistory(alice, channelId);
    await eventually(
      () => clients.every((client) => client.messages.length + client.acks.size >= stored.length),
      "every message delivered",
    );
    // (The 1012 close code itself is checked with a quiet client in ws_test.ts: Deno's client
    // reports 0 when a close frame arrives while it is still sending.)
    for (const client of clients) {
      assert.ok(client.closes.length >= 1, `${client.name} reconnected`);
    }
    assert.ok(stored.length > 50, `steady traffic: ${stored.length} messages`);
    assert.deepEqual(assertExactlyOnce(stored, clients), []);
  } finally {
    for (const client of clients) client.stop();
    server.kill("SIGTERM");
    await server.status;
  }
}

Deno.test("restart under traffic - Deno KV", async () => {
  const dir = await Deno.makeTempDir({ prefix: "salon-restart-" });
  try {
    await restartUnderTraffic({ KV_PATH: `${dir}/salon.kv` });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("restart under traffic - PostgreSQL", needs(POSTGRES_BACKEND), async () => {
  const database = await scratchDatabase(testDatabaseUrl());
  try {
    await restartUnderTraffic({ DATABASE_URL: database.url });
  } finally {
    await database.drop();
  }
});
