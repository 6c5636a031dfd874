/**
 * Server processes that keep their port and data across a restart: what the `ready`
 * benchmarks need and bench/servers.ts does not give (its servers start on a fresh port and
 * store, and remove the store when they stop).
 */
import { ROOT } from "./servers.ts";

/** A server process that can be stopped and started again on the same port and data. */
export interface RestartableServer {
  base: string;
  port: number;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
  /** Starts the process again with the same arguments and environment (after `stop`). */
  start(): Promise<void>;
  /** The running process's id. */
  pid(): number;
}

/** How often `waitAccepting` tries to connect: the error it adds to a restart's timing. */
const ACCEPT_POLL_MS = 5;
/** How long a server gets to start accepting. */
const START_TIMEOUT_MS = 30_000;

/**
 * Resolves once `port` accepts a TCP connection. Salon (main.ts) and the baselines open their
 * listener only once the app is built, so accepting means ready to serve.
 */
export async function waitAccepting(port: number): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, ACCEPT_POLL_MS));
    }
  }
  throw new Error(`nothing accepted on port ${port} after ${START_TIMEOUT_MS} ms`);
}

/** The environment Salon runs with in the benchmarks (as bench/servers.ts startSalon). */
export function salonEnv(port: number, store: Record<string, string>): Record<string, string> {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    SALON_SKIP_BUILD: "1",
    BCRYPT_COST: "4",
    RATE_LIMITS: "off",
    // The security log writes a line per registration and login: noise on a bench's stderr.
    SECURITY_LOG: "off",
    ...store,
  };
}

/** Spawns `deno run --allow-all <args>` in the project root and waits until `port` accepts. */
export async function startRestartable(
  args: string[],
  env: Record<string, string>,
  port: number,
): Promise<RestartableServer> {
  const base = `http://127.0.0.1:${port}`;
  let child: Deno.ChildProcess | undefined;
  const server: RestartableServer = {
    base,
    port,
    async start() {
      child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", ...args],
        cwd: ROOT,
        env,
        stdout: "null",
        stderr: "inherit",
      }).spawn();
      await waitAccepting(port);
    },
    pid() {
      if (!child) throw new Error(`the server on port ${port} is not running`);
      return child.pid;
    },
    async stop() {
      if (!child) return;
      child.kill("SIGTERM");
      await child.status;
      child = undefined;
    },
  };
  await server.start();
  return server;
}
