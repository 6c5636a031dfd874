/**
 * Keyboard use of the chat screen: Enter sends, Shift+Enter breaks the line, Alt+↑/↓ change
 * channel, ↑ edits the last message (Esc cancels), Ctrl+K finds a channel on any server.
 */
import assert from "node:assert/strict";
import { POSTGRES_BACKEND } from "./helpers/backends.ts";
import { islandsReady, socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

browserTest(
  "keyboard - Enter, Shift+Enter and Alt+↑/↓ between channels",
  async ({ app, browser }) => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/register`);
    await page.getByLabel("Username").fill("keys");
    await page.getByLabel("Password").fill("correct horse");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByLabel("Server name").fill("Keys");
    await page.getByRole("button", { name: "Create server" }).click();
    await page.waitForURL(/\/chat\/[^/]+\/[^/]+$/);
    const general = page.url();
    await page.getByLabel("New channel name").fill("second");
    await page.getByRole("button", { name: "Add" }).click();
    await page.waitForURL((url) => url.href !== general);
    const second = page.url();
    await islandsReady(page);

    const composer = page.getByLabel(/^Message #/);
    await composer.click();
    await page.keyboard.type("first line");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("second line");
    await page.keyboard.press("Enter");
    await page.locator("[data-seq='1']").waitFor();
    assert.equal(await page.locator("[data-seq='1']").innerText(), "first line\nsecond line");
    assert.equal(await composer.inputValue(), "", "the composer is cleared");

    await page.keyboard.press("Alt+ArrowUp");
    await page.waitForURL(general);
    await islandsReady(page);
    await page.keyboard.press("Alt+ArrowDown");
    await page.waitForURL(second);
    assert.deepEqual(problems, []);
  },
);

browserTest("keyboard - ↑ edits the last message, Esc cancels, Ctrl+K switches channel", {
  backend: POSTGRES_BACKEND,
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, owner, member } = await room(app);
  const other = await owner.http.json<{ server: { id: string } }>("POST", "/api/servers", {
    json: { name: "Garden Club" },
  });
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${other.body.server.id}/invites`,
  );
  await member.http.request("POST", `/api/invites/${invite.body.code}/join`);
  const tulips = await owner.http.json<{ channel: { id: string } }>(
    "POST",
    `/api/servers/${other.body.server.id}/channels`,
    { json: { name: "tulips" } },
  );

  const page = await pageAs(member);
  const watcher = await pageAs(owner);
  const problems = [...watchProblems(page)];
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await watcher.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await socketReady(page);
  await socketReady(watcher);

  const composer = page.locator("#composer");
  // The composer's text follows its state a render later: wait for it.
  const composerHolds = (text: string) =>
    page.waitForFunction(
      (text) => document.querySelector<HTMLTextAreaElement>("#composer")?.value === text,
      text,
    );
  await composer.click();
  for (const text of ["first take", "second tkae"]) {
    await page.keyboard.type(text);
    await page.keyboard.press("Enter");
    await page.locator("[data-seq]", { hasText: text }).waitFor();
  }

  // The other page is live (it has the messages) before the edit it must see.
  await watcher.locator("[data-seq]", { hasText: "second tkae" }).waitFor();

  // ↑ in the empty composer: the last message comes back to be edited; Enter saves it.
  await page.keyboard.press("ArrowUp");
  await composerHolds("second tkae");
  await page.getByText("Editing message").waitFor();
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await page.keyboard.type("ake");
  await page.keyboard.press("Enter");
  await watcher.locator("[data-seq='2']", { hasText: "second take(edited)" }).waitFor();
  await page.locator("[data-seq='2']", { hasText: "second take(edited)" }).waitFor();
  await composerHolds(""); // the composer is free again

  // Esc cancels an edit and gives back what was being typed.
  await page.keyboard.type("a draft");
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await page.keyboard.press("ArrowUp");
  await composerHolds("second take");
  await page.keyboard.press("Escape");
  await composerHolds("");
  await page.getByText("Editing message").waitFor({ state: "detached" });
  assert.match(await page.locator("[data-seq='2']").innerText(), /^second take\s*\(edited\)$/);

  // Ctrl+K: a channel of another server, found by part of its name.
  await page.keyboard.press("Control+k");
  const finder = page.getByRole("dialog", { name: "Find a channel" });
  await finder.waitFor();
  await page.keyboard.type("tuli");
  // The other server's channels are known once the socket is ready; the list follows typing.
  await page.waitForFunction(() =>
    document.querySelectorAll("#quick-switcher-results [role=option]").length === 1
  );
  assert.deepEqual(await finder.getByRole("option").allTextContents(), ["#tulipsGarden Club"]);
  await page.keyboard.press("Escape");
  await finder.waitFor({ state: "hidden" });
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    "composer",
    "focus goes back to where it was",
  );
  // Open again (the button this time: under a full suite's load, a Ctrl+K pressed right after
  // the Escape sometimes never reached the page's document at all, though nothing of ours
  // listens before it — see the session note of 2026-12-02), then type once the finder has
  // focus, as a person does.
  await page.getByRole("button", { name: /Find a channel/ }).click();
  await page.waitForFunction(
    () => document.activeElement?.closest("dialog[open]") !== null,
    undefined,
    { polling: 50 },
  );
  await page.keyboard.type("garden tul");
  await finder.getByRole("option", { name: /tulips/, selected: true }).waitFor();
  await page.keyboard.press("Enter");
  await page.waitForURL(`${app.url}/chat/${other.body.server.id}/${tulips.body.channel.id}`);
  assert.deepEqual(problems, []);
});

browserTest(
  "theme - follows the system until the toggle is used, then remembers",
  async ({ app, browser }) => {
    const context = await browser.newContext({ colorScheme: "dark" });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/register`);
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains("dark"));
    assert.equal(await isDark(), true, "the system asks for dark");
    await page.getByLabel("Username").fill("themer");
    await page.getByLabel("Password").fill("correct horse");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/chat/);
    await page.goto(`${app.url}/profile`);
    await islandsReady(page);
    await page.getByRole("button", { name: /^Theme: system/ }).click(); // → light
    assert.equal(await isDark(), false);
    await page.reload();
    assert.equal(await isDark(), false, "remembered across pages");
    await islandsReady(page);
    await page.getByRole("button", { name: /^Theme: light/ }).click(); // → dark
    assert.equal(await isDark(), true);
    assert.deepEqual(problems, []);
  },
);
