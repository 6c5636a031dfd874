/**
 * Headless Debian Chromium driven by playwright-core (never a downloaded browser), with the
 * flags this closed network needs, and a collector for console errors and CSP violations.
 */
import { chromium } from "playwright-core";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";

export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url);

export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * Records what would show up red in the developer console (CSP violations included) and every
 * failed subresource. A page's own 4xx (a form answered with its errors) is intended, not listed.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    // Failed loads are reported below with their URL; a document's status is intended.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on("response", (response) => {
    const request = response.request();
    if (response.status() >= 400 && request.resourceType() !== "document") {
      problems.push(`${response.status()} ${request.method()} ${response.url()}`);
    }
  });
  page.on("requestfailed", (request) => {
    // A navigation cancels the loads of the page it leaves; that is not a failure.
    if (request.failure()?.errorText === "net::ERR_ABORTED") return;
    problems.push(`failed ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

/** Saves a screenshot under test-artifacts/ for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

/** Resolves once every island on the page has hydrated. */
export async function islandsReady(page: Page): Promise<void> {
  await page.waitForSelector("html[data-islands-ready]", { state: "attached" });
}

/** Resolves once the islands are hydrated and the WebSocket is ready (live events flow). */
export async function socketReady(page: Page): Promise<void> {
  await islandsReady(page);
  await page.waitForSelector("html[data-connection=online]", { state: "attached" });
}

/** Closes the browser, giving up after a bound rather than hanging the suite. */
export async function closeBrowser(browser: Browser): Promise<void> {
  await Promise.race([
    browser.close(),
    new Promise((resolve) => setTimeout(resolve, 15_000)),
  ]);
}

/** A new page in its own browser context, signed in with `cookie` (an HttpClient's). */
export async function signedInPage(
  browser: Browser,
  base: string,
  cookie: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext(options);
  await context.addCookies([{ name: "salon_session", value: cookie.split("=")[1], url: base }]);
  return await context.newPage();
}
