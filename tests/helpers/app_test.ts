/** Registers one test per backend that gets a freshly started app and is cleaned up after. */
import { BACKENDS, needs } from "./backends.ts";
import { startTestApp } from "./test_app.ts";
import type { TestApp } from "./test_app.ts";

/** Registers `name` once per backend (ignored where one is unavailable), each on a new app. */
export function appTest(
  name: string,
  fn: (app: TestApp) => Promise<void>,
  env: Record<string, string> = {},
): void {
  for (const backend of BACKENDS) {
    Deno.test(`${name} (${backend.name})`, needs(backend), async () => {
      const app = await startTestApp(backend, env);
      try {
        await fn(app);
      } finally {
        await app.close();
      }
    });
  }
}
