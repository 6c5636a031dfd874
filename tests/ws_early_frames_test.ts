/**
 * Frames a socket sends before its `ready`, on both backends: a real app over the real store,
 * wrapped so chosen store calls wait until the test lets them go (the window a slow set-up or a
 * slow commit really opens), and a raw WebSocket client that authenticates with an `auth` frame.
 */
import assert from "node:assert/strict";
import type { Store } from "../db/store.ts";
import { loadConfig } from "../lib/config.ts";
import { SOCKET_EARLY_FRAMES_MAX } from "../lib/limits.ts";
import { createServices } from "../lib/services.ts";
import { createApp } from "../routes/app.ts";
import { BACKENDS, needs } from "./helpers/backends.ts";
import type { Backend } from "./helpers/backends.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { eventually, within } from "./helpers/wait.ts";
import { WsClient } from "./helpers/ws_client.ts";

/** Store calls held until released; every other call goes straight to the real store. */
class Holds {
  #armed = new Map<string, Promise<void>>();
  #calls = new Map<string, number>();

  /** The next call of `method` starts at once but answers only after `release` is called. */
  hold(method: keyof Store): { release: () => void } {
    const released = Promise.withResolvers<void>();
    this.#armed.set(method, released.promise);
    return { release: () => released.resolve() };
  }

  /** Calls of `method` made so far. */
  calls(method: keyof Store): number {
    return this.#calls.get(method) ?? 0;
  }

  /** The store seen through the holds (as in ws_resume_errors_test.ts's faults). */
  wrap(store: Store): Store {
    return new Proxy(Object.create(store) as Store, {
      get: (_, name) => {
        const value = Reflect.get(store, name);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const method = String(name);
          this.#calls.set(method, (this.#calls.get(method) ?? 0) + 1);
          const hold = this.#armed.get(method);
          this.#armed.delete(method);
          // The call itself is made now (a write keeps its place in the store's queue); only
          // its answer waits.
          const answer = value.apply(store, args);
          return hold ? hold.then(() => answer) : answer;
        };
      },
    });
  }
}

/** The app over the backend's store seen through `holds`, on a free port, for one test. */
async function withHeldApp(
  backend: Backend,
  test: (url: string, holds: Holds) => Promise<void>,
): Promise<void> {
  const testStore = await backend.open();
  const loaded = loadConfig({ BCRYPT_COST: "4", SECURITY_LOG: "off" });
  const config = testStore.databaseUrl
    ? { ...loaded, databaseUrl: testStore.databaseUrl, bus: "postgres" as const }
    : loaded;
  const holds = new Holds();
  const services = await createServices(config, holds.wrap(testStore.store), {
    busChannel: testStore.busChannel,
  });
  const app = createApp({ config, ...services });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  try {
    await test(`http://127.0.0.1:${server.addr.port}`, holds);
  } finally {
    await services.close();
    await server.shutdown();
    await testStore.dispose();
  }
}

/** Registers the test once per backend. */
function earlyTest(name: string, test: (url: string, holds: Holds) => Promise<void>): void {
  for (const backend of BACKENDS) {
    Deno.test(`${name} (${backend.name})`, needs(backend), () => withHeldApp(backend, test));
  }
}

/** A new account's token and the id of the channel of a server it made. */
async function owner(url: string): Promise<{ http: HttpClient; token: string; channelId: string }> {
  const http = new HttpClient(url);
  const registered = await http.json<{ token: string }>("POST", "/api/auth/register", {
    json: { username: "owner", password: "correct horse" },
  });
  assert.equal(registered.status, 201);
  const created = await http.json<{ channels: { id: string }[] }>("POST", "/api/servers", {
    json: { name: "Room" },
  });
  return { http, token: registered.body.token, channelId: created.body.channels[0].id };
}

/** A round trip through the server: every frame sent before it has been received there. */
async function settle(ws: WsClient): Promise<void> {
  const pongs = ws.all("pong").length;
  ws.send({ type: "ping" });
  await eventually(() => ws.all("pong").length > pongs, "pong");
}

earlyTest(
  "ws early frames - sends queued before ready and sent after it are stored in the order sent",
  async (url, holds) => {
    const { http, token, channelId } = await owner(url);
    const send = (nonce: string) => ({ type: "send", channelId, content: nonce, nonce });
    const setUp = holds.hold("listServersOf");
    const ws = await WsClient.connect(url);
    ws.send({ type: "auth", token });
    ws.send(send("A"));
    ws.send(send("B"));
    // Answered at once even while starting: A and B are queued behind the held set-up.
    await settle(ws);

    // A's commit is slow: it is in the store's queue, but its answer waits.
    const commitA = holds.hold("appendMessage");
    const appendsBefore = holds.calls("appendMessage");
    setUp.release();
    await ws.next("ready");
    ws.send(send("C"));
    await eventually(
      () => holds.calls("appendMessage") >= appendsBefore + 2,
      "two sends in the store's queue",
    );
    commitA.release();
    await eventually(() => ws.all("ack").length === 3, "three acks");

    const stored = await http.json<{ messages: { content: string; seq: number }[] }>(
      "GET",
      `/api/channels/${channelId}/messages`,
    );
    const bySeq = stored.body.messages.toSorted((a, b) => a.seq - b.seq);
    assert.deepEqual(bySeq.map((message) => message.content), ["A", "B", "C"]);
    assert.deepEqual(ws.all("error"), []);
    await ws.close();
  },
);

earlyTest("ws early frames - too many before ready close the socket (1008)", async (
  url,
  holds,
) => {
  const { token, channelId } = await owner(url);
  const setUp = holds.hold("listServersOf");
  const ws = await WsClient.connect(url);
  ws.send({ type: "auth", token });
  for (let i = 0; i <= SOCKET_EARLY_FRAMES_MAX; i++) ws.send({ type: "typing", channelId });
  const closed = await within(ws.closed, "the socket to close", 10_000).finally(setUp.release);
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, "too many frames before ready");
  assert.equal(ws.all("ready").length, 0);
});
