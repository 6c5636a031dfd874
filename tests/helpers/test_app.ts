/**
 * Starts the real application on a free port over a real store, for HTTP, WebSocket and browser
 * tests. The configuration goes through `loadConfig` like in production.
 */
import { loadConfig } from "../../lib/config.ts";
import { createServices } from "../../lib/services.ts";
import type { Services } from "../../lib/services.ts";
import { createApp } from "../../routes/app.ts";
import type { Backend, TestStore } from "./backends.ts";

export interface TestApp extends Services {
  url: string;
  testStore: TestStore;
  /** Stops the server and starts a new one over the same data (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Environment for `loadConfig`: fast hashing, generous limits unless a test says otherwise. */
const TEST_ENV = { BCRYPT_COST: "4" };

export async function startTestApp(
  backend: Backend,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const testStore = await backend.open();
  let server: Deno.HttpServer<Deno.NetAddr>;
  let services: Services;

  async function serve(port: number) {
    services = await createServices(config, testStore.store);
    const app = createApp({ config, ...services });
    server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
    return server.addr.port;
  }

  const port = await serve(0);
  return {
    url: `http://127.0.0.1:${port}`,
    testStore,
    get accounts() {
      return services.accounts;
    },
    get chat() {
      return services.chat;
    },
    get hub() {
      return services.hub;
    },
    openSocket: (auth) => services.openSocket(auth),
    async restart() {
      await services.close();
      await server.shutdown();
      await testStore.reopen();
      await serve(port);
    },
    async close() {
      await services.close();
      await server.shutdown();
      await testStore.dispose();
    },
  };
}
