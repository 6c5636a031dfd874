/**
 * Starts the real application on a free port over a real store, for HTTP, WebSocket and browser
 * tests. The configuration goes through `loadConfig` like in production; on PostgreSQL the app
 * also uses the real LISTEN/NOTIFY bus (on a channel of the test's own).
 */
import { loadConfig } from "../../lib/config.ts";
import type { Config } from "../../lib/config.ts";
import { createServices } from "../../lib/services.ts";
import type { Services } from "../../lib/services.ts";
import type { Store } from "../../db/store.ts";
import { createApp } from "../../routes/app.ts";
import type { Backend, TestStore } from "./backends.ts";

export interface TestApp extends Omit<Services, "close"> {
  url: string;
  config: Config;
  testStore: TestStore;
  /** Stops the server and starts a new one over the same data (a restart). */
  restart(): Promise<void>;
  /** Starts another instance over the same data and bus (closed with this one). */
  startAnother(): Promise<TestApp>;
  close(): Promise<void>;
}

/** Environment for `loadConfig`: fast hashing, generous limits unless a test says otherwise. */
const TEST_ENV = { BCRYPT_COST: "4", SECURITY_LOG: "off" };

/** What a test may set on the services besides the environment (createServices' options). */
export interface TestAppOptions {
  /** Instance heartbeat period and expiry (short ones for presence across instances). */
  heartbeatMs?: number;
  instanceExpiryMs?: number;
}

interface Running {
  services: Services;
  server: Deno.HttpServer<Deno.NetAddr>;
}

async function serve(
  config: Config,
  store: Store,
  testStore: TestStore,
  port = 0,
  options: TestAppOptions = {},
): Promise<Running> {
  const services = await createServices(config, store, {
    busChannel: testStore.busChannel,
    ...options,
  });
  const app = createApp({ config, ...services });
  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  return { services, server };
}

async function stop({ services, server }: Running): Promise<void> {
  await services.close();
  // Graceful shutdown waits for every connection; a browser's dangling one must not hang the
  // suite (once seen in CI): after a bound, report it and move on.
  const stopped = await Promise.race([
    server.shutdown().then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), SHUTDOWN_BOUND_MS)),
  ]);
  if (!stopped) console.error(`Test server still had connections after ${SHUTDOWN_BOUND_MS} ms`);
}

const SHUTDOWN_BOUND_MS = 10_000;

class Instance implements TestApp {
  #running: Running;
  #extra: Instance[] = [];

  constructor(
    readonly config: Config,
    readonly testStore: TestStore,
    private readonly store: () => Store,
    running: Running,
    private readonly ownsStore: boolean,
    private readonly options: TestAppOptions = {},
  ) {
    this.#running = running;
  }

  get url() {
    return `http://127.0.0.1:${this.#running.server.addr.port}`;
  }
  get accounts() {
    return this.#running.services.accounts;
  }
  get chat() {
    return this.#running.services.chat;
  }
  get hub() {
    return this.#running.services.hub;
  }
  get notifications() {
    return this.#running.services.notifications;
  }
  openSocket: Services["openSocket"] = (auth, hooks) =>
    this.#running.services.openSocket(auth, hooks);

  async restart(): Promise<void> {
    const port = this.#running.server.addr.port;
    await stop(this.#running);
    await this.testStore.reopen();
    this.#running = await serve(this.config, this.store(), this.testStore, port, this.options);
  }

  async startAnother(): Promise<TestApp> {
    const other = await this.testStore.openAnother();
    const running = await serve(this.config, other, this.testStore, 0, this.options);
    const instance = new Instance(
      this.config,
      this.testStore,
      () => other,
      running,
      false,
      this.options,
    );
    this.#extra.push(instance);
    return instance;
  }

  async close(): Promise<void> {
    for (const instance of this.#extra) await instance.close();
    await stop(this.#running);
    if (this.ownsStore) await this.testStore.dispose();
  }
}

export async function startTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const testStore = await backend.open();
  const loaded = loadConfig({ ...TEST_ENV, ...env });
  // On PostgreSQL the app also uses the real LISTEN/NOTIFY bus, unless the test names another.
  const config = testStore.databaseUrl
    ? {
      ...loaded,
      databaseUrl: testStore.databaseUrl,
      bus: env.BUS === undefined ? "postgres" as const : loaded.bus,
    }
    : loaded;
  const running = await serve(config, testStore.store, testStore, 0, options);
  return new Instance(config, testStore, () => testStore.store, running, true, options);
}
