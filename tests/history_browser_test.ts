/**
 * The message list with a long history: the page opens at the latest message, scrolling up
 * loads older pages without moving what the reader looks at, and a new message only scrolls
 * the view when the reader was at the bottom.
 */
import assert from "node:assert/strict";
import { islandsReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

browserTest("chat in the browser - long history pages in as the reader scrolls up", {
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, owner, member } = await room(app);
  for (let i = 1; i <= 130; i++) {
    await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
      json: { content: `line ${i}` },
    });
  }
  const page = await pageAs(member, {
    viewport: { width: 1280, height: 800 },
  });
  const problems = watchProblems(page);
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await islandsReady(page);
  const list = page.getByTestId("message-list");
  const seqs = () =>
    page.locator("[data-seq]").evaluateAll((els) =>
      els.map((el) => Number(el.getAttribute("data-seq")))
    );
  assert.deepEqual((await seqs()).slice(0, 1), [81], "the latest 50 are server-rendered");
  const atBottom = () =>
    list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2);
  assert.ok(await atBottom(), "opens at the latest message");

  // Reading in the middle: a new message does not pull the view down.
  const scrollTo = (where: "middle" | "top" | "bottom") =>
    list.evaluate((el, where) =>
      new Promise((resolve) => {
        // Settles after the list's own scroll handler (or at once if nothing moves: no
        // scroll event comes then).
        el.addEventListener("scroll", () => setTimeout(resolve, 0), { once: true });
        const before = el.scrollTop;
        el.scrollTop = where === "top"
          ? 0
          : where === "bottom"
          ? el.scrollHeight
          : (el.scrollHeight - el.clientHeight) / 2;
        if (el.scrollTop === before) resolve(undefined);
      }), where);
  // A page that is on its way moves the first message: wait for it before reading positions.
  // (Scrolling to the middle may already come within reach of the top and load one.)
  const loaded = () => page.getByText("Loading older messages…").waitFor({ state: "hidden" });
  await scrollTo("middle");
  await loaded();
  await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
    json: { content: "line 131" },
  });
  await page.getByText("line 131").waitFor();
  assert.ok(!(await atBottom()), "the reader stays where they were");

  // Scrolling to the top loads older pages; the message on screen stays on screen.
  for (let page_ = 0; page_ < 3 && (await seqs())[0] > 1; page_++) {
    await loaded();
    const anchor = page.locator("[data-seq]").first();
    const anchorSeq = await anchor.getAttribute("data-seq");
    await scrollTo("top");
    await page.waitForFunction(
      (seq) => Number(document.querySelector("[data-seq]")?.getAttribute("data-seq")) < seq,
      Number(anchorSeq),
    );
    const box = await page.locator(`[data-seq="${anchorSeq}"]`).boundingBox();
    assert.ok(box && box.y >= 0 && box.y < 800, "the previously first message is still in view");
  }
  assert.deepEqual(await seqs(), Array.from({ length: 131 }, (_, i) => i + 1));
  await page.getByText("Welcome to #general").waitFor();

  // Back at the bottom, new messages keep the view there.
  await scrollTo("bottom");
  await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
    json: { content: "line 132" },
  });
  await page.getByText("line 132").waitFor();
  await page.waitForFunction(() => {
    const el = document.querySelector("[data-testid=message-list]")!;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 2;
  });
  assert.deepEqual(problems, []);
});
