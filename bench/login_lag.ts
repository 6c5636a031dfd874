/**
 * `deno task bench:login-lag`: does password hashing starve live traffic? Salon on Deno KV with
 * its production bcrypt cost (10) serves one signed-in socket that sends `ping` every 10 ms;
 * the round trip to its `pong` is measured first on a quiet server, then while 4 clients log in
 * back to back. A login's bcrypt comparison must not hold the event loop that serves sockets.
 *
 *   deno run -A bench/login_lag.ts [--seconds 4]
 */
import { parseArgs } from "node:util";
import { HttpClient } from "../tests/helpers/http_client.ts";
import { startSalon } from "./servers.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { seconds: { type: "string", default: "4" } },
});
const SECONDS = Number(values.seconds);
const LOGIN_CLIENTS = 4;
const PING_EVERY_MS = 10;
const PASSWORD = "correct horse battery";

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { pings: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
}

/** Round trips of `ping` frames sent every PING_EVERY_MS for SECONDS. */
async function pingRoundTrips(socket: WebSocket): Promise<number[]> {
  const rtts: number[] = [];
  const sentAt: number[] = [];
  socket.onmessage = (event) => {
    if (String(event.data) === '{"type":"pong"}') rtts.push(performance.now() - sentAt.shift()!);
  };
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    sentAt.push(performance.now());
    socket.send('{"type":"ping"}');
    await new Promise((resolve) => setTimeout(resolve, PING_EVERY_MS));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return rtts;
}

const server = await startSalon("kv", { BCRYPT_COST: "10" });
try {
  const owner = new HttpClient(server.base);
  const name = `lag${crypto.randomUUID().slice(0, 8)}`;
  const registered = await owner.json("POST", "/api/auth/register", {
    json: { username: name, password: PASSWORD },
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  const socket = new (WebSocket as unknown as new (
    url: string,
    options: { headers: Record<string, string> },
  ) => WebSocket)(`${server.base.replace(/^http/, "ws")}/ws`, {
    headers: { Cookie: owner.cookie! },
  });
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => socket.send('{"type":"resume","channels":{}}');
    socket.onmessage = (event) => String(event.data).includes('"type":"ready"') && resolve();
    socket.onerror = () => reject(new Error("socket failed"));
  });

  const quiet = summary(await pingRoundTrips(socket));
  let logins = 0;
  let stop = false;
  const loggingIn = Array.from({ length: LOGIN_CLIENTS }, async () => {
    while (!stop) {
      const client = new HttpClient(server.base);
      const { status } = await client.json("POST", "/api/auth/login", {
        json: { username: name, password: PASSWORD },
      });
      if (status !== 200) throw new Error(`login: ${status}`);
      logins++;
    }
  });
  const started = performance.now();
  const busy = summary(await pingRoundTrips(socket));
  stop = true;
  await Promise.all(loggingIn);
  const loginsPerSecond = logins / ((performance.now() - started) / 1000);
  socket.close();

  const row = (label: string, s: ReturnType<typeof summary>) =>
    `${label.padEnd(28)} ${String(s.pings).padStart(5)}  ${s.p50.toFixed(1).padStart(6)}  ${
      s.p99.toFixed(1).padStart(6)
    }  ${s.max.toFixed(1).padStart(6)}`;
  console.log(`${"ping → pong round trip (ms)".padEnd(28)} pings     p50     p99     max`);
  console.log(row("quiet server", quiet));
  console.log(row(`${LOGIN_CLIENTS} clients logging in`, busy));
  console.log(`logins: ${loginsPerSecond.toFixed(1)}/s at bcrypt cost 10`);
} finally {
  await server.stop();
}
