/**
 * Soak: the real server process under steady chat traffic for a long time (10 minutes by
 * default), watching its memory and counting lost or doubled deliveries.
 *
 *   deno task soak [--minutes 10] [--rate 40] [--users 20] [--store kv|postgres] [--json]
 *
 * With `--store postgres`, TEST_DATABASE_URL names a database the soak may create databases in.
 * Prints RSS samples and a verdict: lost and doubled must be 0, and the RSS of the last minute
 * must stay within 20% of the second minute's (after warm-up).
 */
import { parseArgs } from "node:util";
import { HttpClient } from "../tests/helpers/http_client.ts";
import {
  assertExactlyOnce,
  ResilientClient,
  storedHistory,
} from "../tests/helpers/resilient_client.ts";
import { freePort, scratchDatabase } from "../tests/helpers/scratch.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "10" },
    rate: { type: "string", default: "40" },
    users: { type: "string", default: "20" },
    store: { type: "string", default: "kv" },
    json: { type: "boolean", default: false },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const userCount = Number(values.users);
const ROOT = new URL("../", import.meta.url);

function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

async function main() {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PORT: String(port),
    SALON_SKIP_BUILD: "1",
    BCRYPT_COST: "4",
    RATE_LIMITS: "off",
    // The security log writes a line per registration and login: noise on a bench's stderr.
    SECURITY_LOG: "off",
  };
  let dropDatabase = async () => {};
  const dir = await Deno.makeTempDir({ prefix: "salon-soak-" });
  if (values.store === "postgres") {
    const adminUrl = Deno.env.get("TEST_DATABASE_URL");
    if (!adminUrl) throw new Error("--store postgres needs TEST_DATABASE_URL");
    const database = await scratchDatabase(adminUrl);
    env.DATABASE_URL = database.url;
    dropDatabase = database.drop;
  } else {
    env.KV_PATH = `${dir}/soak.kv`;
  }
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts"],
    cwd: ROOT,
    env,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const clients: ResilientClient[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      if (
        (await fetch(`${base}/login`).then((r) => r.body?.cancel()).catch(() => "down")) !== "down"
      ) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Users in two servers of two channels each; everyone talks in their server's channels.
    const https: HttpClient[] = [];
    for (let i = 0; i < userCount; i++) {
      const http = new HttpClient(base);
      await http.json("POST", "/api/auth/register", {
        json: { username: `soak${i}`, password: "correct horse" },
      });
      https.push(http);
    }
    const channels: string[][] = [];
    for (const owner of [https[0], https[1]]) {
      const created = await owner.json<{ server: { id: string }; channels: { id: string }[] }>(
        "POST",
        "/api/servers",
        {
          json: { name: "Soak" },
        },
      );
      const extra = await owner.json<{ channel: { id: string } }>(
        "POST",
        `/api/servers/${created.body.server.id}/channels`,
        {
          json: { name: "second" },
        },
      );
      const invite = await owner.json<{ code: string }>(
        "POST",
        `/api/servers/${created.body.server.id}/invites`,
      );
      channels.push([created.body.channels[0].id, extra.body.channel.id]);
      for (const member of https.slice(2)) {
        await member.json("POST", `/api/invites/${invite.body.code}/join`);
      }
    }
    const all = channels.flat();
    https.forEach((http, i) => {
      clients.push(new ResilientClient(base, http.cookie!, `u${i}`, i < 2 ? channels[i] : all));
    });
    for (const client of clients) client.start();
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const samples: { minute: number; rssMiB: number; sent: number }[] = [];
    const started = Date.now();
    const end = started + minutes * 60_000;
    let sent = 0;
    let nextSample = started;
    while (Date.now() < end) {
      const i = sent % clients.length;
      const own = i < 2 ? channels[i] : all;
      clients[i].send(own[sent % own.length], `soak message ${sent}`);
      sent++;
      if (Date.now() >= nextSample) {
        samples.push({ minute: (Date.now() - started) / 60_000, rssMiB: rssMiB(server.pid), sent });
        if (!values.json) {
          console.log(
            `${samples.at(-1)!.minute.toFixed(1)} min  RSS ${
              samples.at(-1)!.rssMiB.toFixed(1)
            } MiB  sent ${sent}`,
          );
        }
        nextSample += 10_000;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 / rate));
    }
    const deadline = Date.now() + 60_000;
    while (clients.some((client) => client.outbox.size > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Each channel's history against what its members received.
    const problems: string[] = [];
    for (const [s, pair] of channels.entries()) {
      for (const channelId of pair) {
        const stored = await storedHistory(https[s], channelId);
        const members = clients.filter((_, i) => i === s || i >= 2);
        const view = members.map((client) => {
          const copy = new ResilientClient(base, "", client.name, []);
          copy.messages.push(...client.messages.filter((m) => m.channelId === channelId));
          for (const [nonce, message] of client.acks) {
            if (message.channelId === channelId) copy.acks.set(nonce, message);
          }
          return copy;
        });
        problems.push(...assertExactlyOnce(stored, view));
      }
    }
    const warm = samples.find((sample) => sample.minute >= 1) ?? samples[0];
    const last = samples.at(-1)!;
    const growth = last.rssMiB / warm.rssMiB - 1;
    const report = {
      minutes,
      rate,
      users: userCount,
      store: values.store,
      sent,
      problems: problems.length,
      rssAfterWarmupMiB: Number(warm.rssMiB.toFixed(1)),
      rssEndMiB: Number(last.rssMiB.toFixed(1)),
      growthPercent: Number((growth * 100).toFixed(1)),
      ok: problems.length === 0 && growth < 0.2,
    };
    console.log(values.json ? JSON.stringify(report) : report);
    if (problems.length) console.error(problems.slice(0, 10).join("\n"));
    if (!report.ok) Deno.exitCode = 1;
  } finally {
    for (const client of clients) client.stop();
    try {
      server.kill("SIGTERM");
    } catch {
      // It already exited (that is reported by the verdict above).
    }
    await server.status;
    await dropDatabase();
    await Deno.remove(dir, { recursive: true });
  }
}

await main();
