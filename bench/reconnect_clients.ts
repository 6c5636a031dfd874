/**
 * The reconnect benchmark's clients (bench/reconnect.ts starts this in its own process): many
 * authenticated WebSockets that reconnect when the server restarts, as Salon's client does.
 *
 * stdin, one JSON line: `{"base","cookies":[…]}` (one socket per cookie, each from an address
 * of its own: see addressOf); later the line `up` when the restarted server accepts. stdout:
 * `{"phase":"connected"}` once every socket has had `ready`, then `{"result":{…}}` once every
 * socket has had `ready` again after `up`.
 *
 * Each socket sends `resume` on open, naming the channel it "shows" (the first channel of its
 * first `ready`) with the last seq it saw there, as the browser resumes the channels on its
 * page. A socket the server closes (1012 on a restart) reconnects at once, without the
 * browser's jittered 250–500 ms back-off: the sockets wait only for `up`, then all open
 * together, the worst-case storm. A socket refused or closed after `up` tries again after a
 * short jittered pause (RETRY_MS) and is counted.
 */
interface Scenario {
  base: string;
  cookies: string[];
}

/** Sockets opened at once while first connecting (as bench/load.ts does). */
const CONNECT_BATCH = 50;
/** Pause before a refused or failed attempt is made again (jittered: ½ to 1 ×). */
const RETRY_MS = 100;
/** A round that has not finished after this long fails the benchmark. */
const ROUND_TIMEOUT_MS = 120_000;

const DenoWebSocket = WebSocket as unknown as new (
  url: string,
  options?: { headers: Record<string, string> },
) => WebSocket;
const now = () => performance.timeOrigin + performance.now();

interface Client {
  cookie: string;
  /** The address this client stands for (see addressOf). */
  address: string;
  resume: Record<string, number>;
  socket?: WebSocket;
  /** The current socket was opened after `up`. */
  openedAfterUp: boolean;
  /** `ready` has come on the current socket. */
  ready: boolean;
  /** When `ready` first came after `up`. */
  readyAfterUp?: number;
}

/** stdin's lines, one at a time. */
async function* stdinLines(): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
    }
  }
}

const lines = stdinLines();
const scenario = JSON.parse((await lines.next()).value as string) as Scenario;
const url = `${scenario.base.replace(/^http/, "ws")}/ws`;
/**
 * A distinct address per client, sent as X-Forwarded-For (Salon runs with TRUST_PROXY=127.0.0.1,
 * as behind a reverse proxy): 1,000 people come from many addresses, and Salon admits at most
 * WS_SOCKETS_PER_IP sockets per address.
 */
const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const clients: Client[] = scenario.cookies.map((cookie, i) => ({
  cookie,
  address: addressOf(i),
  resume: {},
  openedAfterUp: false,
  ready: false,
}));

/** When `up` came (unset before). */
const restart: { upAt?: number } = {};
let retries = 0;
/** Failed attempts while first connecting (not part of the figure; shown if it fails). */
let firstRetries = 0;
const closeCodes: Record<number, number> = {};
/** `error` frames by code. */
const errorFrames: Record<string, number> = {};
/** Runs after each `ready` (see untilEvery). */
let onReady = () => {};

/** The resume of Salon's first `ready`: its first channel at its lastSeq (B_ws has none). */
function resumeFrom(readyFrame: string): Record<string, number> {
  const ready = JSON.parse(readyFrame) as {
    servers?: { channels: { id: string; lastSeq: number }[] }[];
  };
  const channel = ready.servers?.[0]?.channels[0];
  return channel ? { [channel.id]: channel.lastSeq } : {};
}

function connect(client: Client): void {
  const socket = new DenoWebSocket(url, {
    headers: { Cookie: client.cookie, "X-Forwarded-For": client.address },
  });
  client.socket = socket;
  client.ready = false;
  client.openedAfterUp = restart.upAt !== undefined;
  socket.onopen = () => socket.send(JSON.stringify({ type: "resume", channels: client.resume }));
  socket.onmessage = (event) => {
    const text = String(event.data);
    if (text.startsWith('{"type":"error"')) {
      const { code } = JSON.parse(text) as { code: string };
      errorFrames[code] = (errorFrames[code] ?? 0) + 1;
    }
    if (client.ready || !text.startsWith('{"type":"ready"')) return;
    if (restart.upAt === undefined) client.resume = resumeFrom(text);
    else client.readyAfterUp ??= now();
    client.ready = true;
    onReady();
  };
  socket.onclose = (event) => {
    if (client.socket !== socket) return;
    client.socket = undefined;
    closeCodes[event.code] = (closeCodes[event.code] ?? 0) + 1;
    if (client.readyAfterUp !== undefined) return;
    // The old server going away: back at once when the new one is up (now, if it already is).
    if (!client.openedAfterUp && (client.ready || restart.upAt !== undefined)) {
      if (restart.upAt !== undefined) connect(client);
      return;
    }
    // Refused, or closed before `ready` (first connection or after `up`): again in a moment.
    if (restart.upAt === undefined) firstRetries++;
    else retries++;
    setTimeout(() => connect(client), RETRY_MS * (0.5 + Math.random() / 2));
  };
}

/** Resolves once `done` holds for every one of `among` (checked at each `ready`). */
function untilEvery(among: Client[], done: (client: Client) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const missing = among.filter((client) => !done(client)).length;
      const seen = JSON.stringify({ closeCodes, errorFrames, firstRetries, retries });
      reject(new Error(`${missing} of ${among.length} sockets had no ready; ${seen}`));
    }, ROUND_TIMEOUT_MS);
    onReady = () => {
      if (!among.every(done)) return;
      clearTimeout(timer);
      onReady = () => {};
      resolve();
    };
  });
}

// First connection, in batches.
for (let i = 0; i < clients.length; i += CONNECT_BATCH) {
  const batch = clients.slice(i, i + CONNECT_BATCH);
  const ready = untilEvery(batch, (client) => client.ready);
  batch.forEach(connect);
  await ready;
}
console.log(JSON.stringify({ phase: "connected" }));

// The restart: the bench stops the server, starts it again, and says `up`.
const line = await lines.next();
if (line.value !== "up") throw new Error(`expected "up", got ${JSON.stringify(line.value)}`);
restart.upAt = now();
const reconnected = untilEvery(clients, (client) => client.readyAfterUp !== undefined);
for (const client of clients) if (!client.socket) connect(client);
await reconnected;
const delays = clients.map((client) => client.readyAfterUp! - restart.upAt!).sort((a, b) => a - b);
const at = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))];
console.log(JSON.stringify({
  result: {
    sockets: clients.length,
    lastReadyMs: delays.at(-1),
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    firstReadyMs: delays[0],
    retries,
    closeCodes,
    errorFrames,
  },
}));
for (const client of clients) client.socket?.close();
Deno.exit(0);
