/**
 * The set-up every browser test shares, in one place: the browser assets built, a fresh app over
 * a real store, a headless Chromium, and both closed afterwards whatever the test did. The test
 * is registered with `needs(backend)`, so a PostgreSQL one is ignored (with the one-line hint)
 * when TEST_DATABASE_URL is not set.
 *
 * @example
 * ```ts
 * browserTest("chat - a message arrives", async ({ app, pageAs }) => {
 *   const { serverId, channelId, member } = await room(app);
 *   const page = await pageAs(member);
 *   await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
 * });
 * browserTest("chat - on PostgreSQL, no limits", {
 *   backend: POSTGRES_BACKEND,
 *   env: { RATE_LIMITS: "off" },
 * }, fn);
 * ```
 */
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { ensureAssets } from "../../lib/assets/build.ts";
import { type Backend, KV_BACKEND, needs } from "./backends.ts";
import { closeBrowser, launchBrowser, signedInPage } from "./browser.ts";
import type { Person } from "./people.ts";
import { startTestApp, type TestApp } from "./test_app.ts";

/** What a browser test gets: the running app and a browser of its own. */
export interface BrowserSession {
  app: TestApp;
  browser: Browser;
  /** A new page in its own browser context, signed in as `person`. */
  pageAs(person: Person, options?: BrowserContextOptions): Promise<Page>;
}

export interface BrowserTestOptions {
  /** The store under the app; Deno KV unless a test says otherwise. */
  backend?: Backend;
  /** Settings for the app, read by `loadConfig` (e.g. `{ RATE_LIMITS: "off" }`). */
  env?: Record<string, string>;
}

type BrowserTestFn = (session: BrowserSession) => Promise<void>;

/** Built (or found current) once per test module: every test of the module waits for it. */
let assetsBuilt: Promise<boolean> | undefined;

/** Registers a browser test on Deno KV: `fn` gets a started app and browser, closed after it. */
export function browserTest(name: string, fn: BrowserTestFn): void;
/** Registers a browser test on `options.backend` with `options.env` for the app. */
export function browserTest(name: string, options: BrowserTestOptions, fn: BrowserTestFn): void;
export function browserTest(
  name: string,
  optionsOrFn: BrowserTestOptions | BrowserTestFn,
  maybeFn?: BrowserTestFn,
): void {
  const [options, fn] = typeof optionsOrFn === "function"
    ? [{}, optionsOrFn]
    : [optionsOrFn, maybeFn!];
  const backend = options.backend ?? KV_BACKEND;
  Deno.test(name, needs(backend), async () => {
    await (assetsBuilt ??= ensureAssets());
    const app = await startTestApp(backend, options.env);
    try {
      const browser = await launchBrowser();
      try {
        await fn({
          app,
          browser,
          pageAs: (person, contextOptions) =>
            signedInPage(browser, app.url, person.http.cookie!, contextOptions),
        });
      } finally {
        await closeBrowser(browser);
      }
    } finally {
      await app.close();
    }
  });
}
