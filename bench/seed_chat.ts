/**
 * Chat data for the `ready` benchmarks, made through Salon's public HTTP API (the server runs
 * with RATE_LIMITS=off): users, servers with channels, memberships and a few messages, so that
 * `ready` lists real channels with non-zero `lastSeq` and `readSeq`.
 */
import { HttpClient } from "../tests/helpers/http_client.ts";

/** A seeded server: its id and its channels' ids (the first is the server's `general`). */
export interface SeededServer {
  id: string;
  channelIds: string[];
}

/** Requests the seeding keeps in flight at once (a bounded load on a 2-core machine). */
const SEED_CONCURRENCY = 8;

/** Runs `make(i)` for i < count, at most `concurrency` at a time, results in order. */
export async function inPool<T>(
  count: number,
  concurrency: number,
  make: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await make(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

/** The body of a request that must succeed; anything else stops the benchmark. */
async function expectOk<T>(
  http: HttpClient,
  method: string,
  path: string,
  json?: unknown,
): Promise<T> {
  const { status, body } = await http.json<T>(method, path, json ? { json } : {});
  if (status >= 300) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Registrations to keep in flight at once: Salon runs at most 4 password jobs per address at a
 * time, RATE_LIMITS=off or not (lib/accounts/sign_in_guard.ts), and answers 429 to more.
 */
export const REGISTER_CONCURRENCY = 4;
/** A registration refused as "too many at once" is tried again after this pause. */
const REGISTER_RETRY_MS = 50;

/** A new registered user, signed in (its cookie in `http.cookie`). */
export async function registerUser(base: string, name: string): Promise<HttpClient> {
  const http = new HttpClient(base);
  for (let attempt = 1;; attempt++) {
    const { status, body } = await http.json("POST", "/api/auth/register", {
      json: { username: name, password: "correct horse" },
    });
    if (status === 201) return http;
    if (status !== 429 || attempt >= 20) {
      throw new Error(`register ${name}: ${status} ${JSON.stringify(body)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, REGISTER_RETRY_MS));
  }
}

/** A server owned by `owner` with `channels` channels in all (`general` plus channels c1…). */
export async function createServerWithChannels(
  owner: HttpClient,
  name: string,
  channels: number,
): Promise<SeededServer> {
  const created = await expectOk<{ server: { id: string }; channels: { id: string }[] }>(
    owner,
    "POST",
    "/api/servers",
    { name },
  );
  const more = await inPool(
    channels - 1,
    SEED_CONCURRENCY,
    (i) =>
      expectOk<{ channel: { id: string } }>(
        owner,
        "POST",
        `/api/servers/${created.server.id}/channels`,
        { name: `c${i + 1}` },
      ),
  );
  return {
    id: created.server.id,
    channelIds: [created.channels[0].id, ...more.map(({ channel }) => channel.id)],
  };
}

/** Posts `count` messages in a channel, then marks the first of them read for the poster. */
export async function postMessages(
  author: HttpClient,
  channelId: string,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    await expectOk(author, "POST", `/api/channels/${channelId}/messages`, {
      content: `seed ${i}`,
    });
  }
  if (count > 0) await expectOk(author, "PUT", `/api/channels/${channelId}/read`, { seq: 1 });
}

/** Makes every one of `members` join the server through one invite. */
export async function joinAll(
  owner: HttpClient,
  serverId: string,
  members: HttpClient[],
): Promise<void> {
  const { code } = await expectOk<{ code: string }>(
    owner,
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  await inPool(
    members.length,
    SEED_CONCURRENCY,
    (i) => expectOk(members[i], "POST", `/api/invites/${code}/join`),
  );
}

/**
 * Grows `owner`'s servers to `servers` servers of `channels` channels each (the ones it already
 * has are kept), with messages in each server's first channel and three in its second one.
 */
export async function growServers(
  owner: HttpClient,
  have: SeededServer[],
  servers: number,
  channels: number,
): Promise<SeededServer[]> {
  const out = [...have];
  // Existing servers get their missing channels first.
  for (const server of out) {
    const missing = channels - server.channelIds.length;
    const more = await inPool(
      missing,
      SEED_CONCURRENCY,
      (i) =>
        expectOk<{ channel: { id: string } }>(
          owner,
          "POST",
          `/api/servers/${server.id}/channels`,
          { name: `c${server.channelIds.length + i}` },
        ),
    );
    server.channelIds.push(...more.map(({ channel }) => channel.id));
  }
  const added = await inPool(servers - out.length, 2, async (i) => {
    const server = await createServerWithChannels(owner, `Bench ${out.length + i}`, channels);
    await postMessages(owner, server.channelIds[0], 1);
    if (server.channelIds.length > 1) await postMessages(owner, server.channelIds[1], 3);
    return server;
  });
  return [...out, ...added];
}
