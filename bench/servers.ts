/**
 * The processes benchmarks measure: Salon (`main.ts` on a fresh Deno KV file or a fresh
 * PostgreSQL database) and the raw WebSocket baseline, each in its own process, with what the
 * benchmarks read of them (CPU ticks and RSS from /proc).
 */
import { freePort, scratchDatabase } from "../tests/helpers/scratch.ts";

export const ROOT = new URL("../", import.meta.url);

/** utime+stime ticks and RSS of a process. */
export function usage(pid: number): { ticks: number; rssMiB: number } {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return {
    ticks: Number(stat[11]) + Number(stat[12]),
    rssMiB: Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024,
  };
}

export interface Memory {
  rssMiB: number;
  /** V8 heap in use plus memory V8 tracks outside it (buffers), after the collection. */
  heapAndExternalMiB: number;
}

export interface Server {
  base: string;
  pid: number;
  /** A full garbage collection in the server, then its memory (RSS and V8's own figures). */
  collectGarbage(): Promise<Memory>;
  stop(): Promise<void>;
}

async function waitUp(base: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await (await fetch(base)).body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`server at ${base} did not start`);
}

async function startProcess(
  args: string[],
  env: Record<string, string>,
  base: string,
  cleanup = async () => {},
): Promise<Server> {
  const memoryReport = await Deno.makeTempFile({ prefix: "salon-memory-" });
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { ...env, SALON_MEMORY_REPORT: memoryReport },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await waitUp(base);
  return {
    base,
    pid: child.pid,
    async collectGarbage() {
      await Deno.remove(memoryReport).catch(() => {});
      Deno.kill(child.pid, "SIGUSR2");
      for (let i = 0; i < 100; i++) {
        const text = await Deno.readTextFile(memoryReport).catch(() => "");
        if (text.endsWith("}")) {
          const usage = JSON.parse(text) as Deno.MemoryUsage;
          return {
            rssMiB: usage.rss / 2 ** 20,
            heapAndExternalMiB: (usage.heapUsed + usage.external) / 2 ** 20,
          };
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error("the server did not report its memory");
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(memoryReport).catch(() => {});
      await cleanup();
    },
  };
}

/** Salon in its own process; `overrides` replace the bench's environment (e.g. BCRYPT_COST). */
export async function startSalon(
  store: "kv" | "postgres",
  overrides: Record<string, string> = {},
): Promise<Server> {
  const port = freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: "127.0.0.1",
    SALON_SKIP_BUILD: "1",
    BCRYPT_COST: "4",
    RATE_LIMITS: "off",
    // The security log writes a line per registration and login: noise on a bench's stderr.
    SECURITY_LOG: "off",
    ...overrides,
  };
  const dir = await Deno.makeTempDir({ prefix: "salon-bench-" });
  let cleanup = () => Deno.remove(dir, { recursive: true });
  if (store === "postgres") {
    const { url, drop } = await freshDatabase();
    env.DATABASE_URL = url;
    cleanup = async () => {
      await drop();
      await Deno.remove(dir, { recursive: true });
    };
  } else {
    env.KV_PATH = `${dir}/bench.kv`;
  }
  // SALON_CPU_PROF=<dir>: write a V8 CPU profile of the server there when it stops.
  const profile = Deno.env.get("SALON_CPU_PROF");
  return await startProcess(
    [
      "run",
      "--allow-all",
      "--v8-flags=--expose-gc",
      ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []),
      "main.ts",
    ],
    env,
    `http://127.0.0.1:${port}`,
    cleanup,
  );
}

export async function startRawWs(): Promise<Server> {
  const port = freePort();
  return await startProcess(
    ["run", "--allow-all", "--v8-flags=--expose-gc", "bench/baseline_ws_server.ts", String(port)],
    {},
    `http://127.0.0.1:${port}`,
  );
}

export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = Deno.env.get("TEST_DATABASE_URL");
  if (!adminUrl) throw new Error("PostgreSQL benchmarks need TEST_DATABASE_URL");
  return await scratchDatabase(adminUrl);
}
