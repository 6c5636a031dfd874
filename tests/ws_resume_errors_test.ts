/**
 * `resume` when the store fails under it, on both backends: a real app over the real store,
 * wrapped so that chosen store calls fail on demand the way an outage makes them fail, and a
 * real WebSocket client. A short outage is ridden out; a longer one is reported with the
 * channel named, never skipped in silence, and a second `resume` fills the hole.
 */
import assert from "node:assert/strict";
import { StoreUnavailable } from "../db/unavailable.ts";
import type { Store } from "../db/store.ts";
import { loadConfig } from "../lib/config.ts";
import { RESUME_STORE_ATTEMPTS } from "../lib/limits.ts";
import { createServices } from "../lib/services.ts";
import { createApp } from "../routes/app.ts";
import { BACKENDS, needs } from "./helpers/backends.ts";
import type { Backend } from "./helpers/backends.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { eventually } from "./helpers/wait.ts";
import { WsClient } from "./helpers/ws_client.ts";

/**
 * Store calls made to fail on demand; every other call goes to the real store. Failing calls
 * may first wait for `hold`, so a test can act while a read is known to be in flight.
 */
class Faults {
  #armed = new Map<string, { left: number; error: () => Error; hold?: Promise<void> }>();

  /**
   * The next `times` calls of `method` fail with `error()` (an outage by default). Resolves
   * when the first of them is made.
   */
  fail(
    method: keyof Store,
    times: number,
    { error = () => new StoreUnavailable(new Error("test outage")), hold }: {
      error?: () => Error;
      hold?: Promise<void>;
    } = {},
  ): Promise<void> {
    const started = Promise.withResolvers<void>();
    this.#armed.set(method, {
      left: times,
      error: () => {
        started.resolve();
        return error();
      },
      hold,
    });
    return started.promise;
  }

  /** Calls of `method` still to fail. */
  left(method: keyof Store): number {
    return this.#armed.get(method)?.left ?? 0;
  }

  /** The store seen through the faults (`instanceof` and fields still those of the store). */
  wrap(store: Store): Store {
    // The proxy's own target is an empty object over the store (the store's own methods may be
    // frozen, which a proxy of it could not stand in for); the store itself answers.
    return new Proxy(Object.create(store) as Store, {
      get: (_, name) => {
        const value = Reflect.get(store, name);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const armed = this.#armed.get(String(name));
          if (!armed || armed.left === 0) return value.apply(store, args);
          armed.left--;
          const error = armed.error();
          const hold = armed.hold;
          armed.hold = undefined;
          return (hold ?? Promise.resolve()).then(() => Promise.reject(error));
        };
      },
    });
  }
}

/** An owner and a member of one server, each signed in over HTTP. */
interface Room {
  channelId: string;
  owner: HttpClient;
  member: HttpClient;
}

/** The app over the backend's store seen through `faults`, on a free port, for one test. */
async function withFaultyApp(
  backend: Backend,
  test: (url: string, faults: Faults) => Promise<void>,
): Promise<void> {
  const testStore = await backend.open();
  const loaded = loadConfig({ BCRYPT_COST: "4" });
  const config = testStore.databaseUrl
    ? { ...loaded, databaseUrl: testStore.databaseUrl, bus: "postgres" as const }
    : loaded;
  const faults = new Faults();
  const services = await createServices(config, faults.wrap(testStore.store), {
    busChannel: testStore.busChannel,
  });
  const app = createApp({ config, ...services });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  try {
    await test(`http://127.0.0.1:${server.addr.port}`, faults);
  } finally {
    await services.close();
    await server.shutdown();
    await testStore.dispose();
  }
}

async function signUp(url: string, username: string): Promise<HttpClient> {
  const http = new HttpClient(url);
  const { status } = await http.json("POST", "/api/auth/register", {
    json: { username, password: "correct horse" },
  });
  assert.equal(status, 201);
  return http;
}

async function room(url: string): Promise<Room> {
  const [owner, member] = await Promise.all([signUp(url, "owner"), signUp(url, "member")]);
  const created = await owner.json<{ server: { id: string }; channels: { id: string }[] }>(
    "POST",
    "/api/servers",
    { json: { name: "Room" } },
  );
  const invite = await owner.json<{ code: string }>(
    "POST",
    `/api/servers/${created.body.server.id}/invites`,
  );
  assert.equal((await member.json("POST", `/api/invites/${invite.body.code}/join`)).status, 200);
  return { channelId: created.body.channels[0].id, owner, member };
}

async function post(http: HttpClient, channelId: string, content: string): Promise<void> {
  const { status } = await http.json("POST", `/api/channels/${channelId}/messages`, {
    json: { content },
  });
  assert.equal(status, 201);
}

/** A round trip through the server: everything sent before it has been processed. */
async function settle(ws: WsClient): Promise<void> {
  const pongs = ws.all("pong").length;
  ws.send({ type: "ping" });
  await eventually(() => ws.all("pong").length > pongs, "pong");
}

function seqs(ws: WsClient): number[] {
  return ws.all("message").map((event) => event.message.seq);
}

/** Registers the test once per backend. */
function resumeTest(name: string, test: (url: string, faults: Faults) => Promise<void>): void {
  for (const backend of BACKENDS) {
    Deno.test(`${name} (${backend.name})`, needs(backend), () => withFaultyApp(backend, test));
  }
}

resumeTest("ws resume - a replay that meets a short outage is retried and completes", async (
  url,
  faults,
) => {
  const { channelId, owner, member } = await room(url);
  for (const content of ["one", "two"]) await post(owner, channelId, content);
  faults.fail("listMessages", RESUME_STORE_ATTEMPTS - 1);
  const ws = await WsClient.connect(url, { cookie: member.cookie });
  ws.send({ type: "resume", channels: { [channelId]: 0 } });
  await eventually(() => ws.all("message").length === 2, "the two missed messages");
  await settle(ws);
  assert.equal(faults.left("listMessages"), 0, "the replay did meet the outage");
  assert.deepEqual(seqs(ws), [1, 2]);
  assert.deepEqual(ws.all("error"), []);
  await ws.close();
});

resumeTest(
  "ws resume - a replay the store keeps failing is reported, live messages still come, " +
    "and a second resume fills the hole",
  async (url, faults) => {
    const { channelId, owner, member } = await room(url);
    for (const content of ["one", "two"]) await post(owner, channelId, content);
    const outageEnds = Promise.withResolvers<void>();
    const replaying = faults.fail("listMessages", RESUME_STORE_ATTEMPTS, {
      hold: outageEnds.promise,
    });
    const ws = await WsClient.connect(url, { cookie: member.cookie });
    ws.send({ type: "resume", channels: { [channelId]: 0 } });
    await ws.next("ready");
    await replaying;
    // Published while the channel's replay is in flight: it waits for the replay.
    await post(owner, channelId, "three");
    outageEnds.resolve();

    const error = await ws.next("error");
    assert.equal(error.code, "unavailable");
    assert.match(error.message, new RegExp(channelId), "the error names the channel");
    await eventually(() => ws.all("message").length === 1, "the live message");
    assert.deepEqual(seqs(ws), [3], "the held live message is released, nothing replayed");

    // The client still lacks 1 and 2 (it has 3 above a hole) and resumes from before the hole.
    ws.send({ type: "resume", channels: { [channelId]: 0 } });
    await eventually(() => ws.all("message").length === 3, "the hole filled");
    await post(owner, channelId, "four");
    await eventually(() => ws.all("message").length === 4, "the next live message");
    await settle(ws);
    assert.deepEqual(seqs(ws), [3, 1, 2, 4], "each message once");
    assert.equal(ws.all("error").length, 1);
    await ws.close();
  },
);

resumeTest(
  "ws resume - a membership check the store keeps failing is reported; resuming again replays",
  async (url, faults) => {
    const { channelId, owner, member } = await room(url);
    await post(owner, channelId, "one");
    // The membership check reads the store (the channel itself comes from the permission snapshot).
    faults.fail("isMember", RESUME_STORE_ATTEMPTS);
    const ws = await WsClient.connect(url, { cookie: member.cookie });
    ws.send({ type: "resume", channels: { [channelId]: 0 } });
    const error = await ws.next("error");
    assert.equal(error.code, "unavailable");
    assert.match(error.message, new RegExp(channelId));
    await settle(ws);
    assert.deepEqual(seqs(ws), []);
    ws.send({ type: "resume", channels: { [channelId]: 0 } });
    await eventually(() => ws.all("message").length === 1, "the replay");
    assert.deepEqual(seqs(ws), [1]);
    await ws.close();
  },
);

resumeTest(
  "ws resume - an unexpected store error is answered with internal_error, not skipped",
  async (url, faults) => {
    const { channelId, owner, member } = await room(url);
    await post(owner, channelId, "one");
    faults.fail("listMessages", 1, { error: () => new TypeError("a bug in the store") });
    const ws = await WsClient.connect(url, { cookie: member.cookie });
    ws.send({ type: "resume", channels: { [channelId]: 0 } });
    const error = await ws.next("error");
    assert.equal(error.code, "internal_error");
    // One failing call was enough for the error: a bug is not retried.
    assert.match(error.message, new RegExp(channelId));
    await post(owner, channelId, "two");
    await eventually(() => ws.all("message").length === 1, "live messages still come");
    assert.deepEqual(seqs(ws), [2]);
    await ws.close();
  },
);
