/**
 * A busy channel: 10,000 messages. Opening it shows the first unread message (history loads back
 * to it), the DOM holds a bounded window however much is loaded, scrolling back to the very first
 * message never moves what the reader looks at, and "Jump to latest" (with a count of what came
 * meanwhile) leads back to the bottom.
 */
import assert from "node:assert/strict";
import { WINDOW_MAX } from "../islands/runtime/message_window.ts";
import { POSTGRES_BACKEND } from "./helpers/backends.ts";
import { islandsReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

const TOTAL = 10_000;
const IN_FLIGHT = 50;

browserTest(
  "busy channel - 10,000 messages: first unread, bounded DOM, still view, jump to latest",
  { backend: POSTGRES_BACKEND, env: { RATE_LIMITS: "off" } },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    const author = await app.accounts.getUser(owner.id);
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < TOTAL) {
        const n = ++next;
        await app.chat.messages.send(author, channelId, {
          content: `busy ${n}`,
          nonce: `busy-${n}`,
        });
      }
    }));
    const readUpTo = TOTAL - 120; // more unread than the page the server renders
    await member.http.request("PUT", `/api/channels/${channelId}/read`, {
      json: { seq: readUpTo },
    });

    const page = await pageAs(member, {
      viewport: { width: 1280, height: 800 },
    });
    const problems = watchProblems(page);
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await islandsReady(page);
    const list = page.getByTestId("message-list");

    // Opens at the first unread message, below the divider, both in view.
    const divider = page.getByRole("separator", { name: "New messages" });
    await divider.waitFor();
    await page.waitForFunction(() => {
      const list = document.querySelector("[data-testid=message-list]")!.getBoundingClientRect();
      const line = document.querySelector("[data-first-unread]")?.getBoundingClientRect();
      return line && line.top >= list.top && line.bottom <= list.bottom;
    });
    const firstAfterDivider = await page.locator("[data-first-unread] ~ li [data-seq]").first()
      .getAttribute("data-seq");
    assert.equal(Number(firstAfterDivider), readUpTo + 1);
    const jump = page.getByRole("button", { name: /Jump to latest/ });
    await jump.waitFor();

    // Scroll all the way back: every page of history loads, the DOM stays bounded, and at each
    // step the message at the top of the view stays where it was.
    const report = await list.evaluate(async (element, limit) => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      let most = 0;
      let worstShift = 0;
      for (let i = 0; i < 2000 && !element.textContent!.includes("start of the channel"); i++) {
        element.scrollTop = 0;
        await frame();
        const top = element.getBoundingClientRect().top;
        const anchor = [...element.querySelectorAll<HTMLElement>("[data-seq]")]
          .find((node) => node.getBoundingClientRect().bottom > top)!;
        const before = anchor.getBoundingClientRect().top;
        await new Promise((resolve) => setTimeout(resolve, 40));
        await frame();
        if (anchor.isConnected) {
          worstShift = Math.max(worstShift, Math.abs(anchor.getBoundingClientRect().top - before));
        }
        most = Math.max(most, element.querySelectorAll("[data-seq]").length);
      }
      return {
        most,
        worstShift,
        first: element.querySelector("[data-seq]")?.getAttribute("data-seq"),
        limit,
      };
    }, WINDOW_MAX);
    assert.equal(report.first, "1", "scrolled back to the first message");
    assert.ok(
      report.most <= WINDOW_MAX,
      `at most ${WINDOW_MAX} messages in the DOM: ${report.most}`,
    );
    assert.ok(report.worstShift <= 1, `the message being read never moved: ${report.worstShift}px`);

    // Something new arrives while the reader is far up: the button counts it and leads there.
    await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
      json: { content: "fresh news" },
    });
    await page.getByRole("button", { name: "1 new message · Jump to latest" }).click();
    await page.getByText("fresh news").waitFor();
    await jump.waitFor({ state: "detached" });
    assert.ok(
      await list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2),
      "at the bottom again",
    );
    assert.ok((await page.locator("[data-seq]").count()) <= WINDOW_MAX);
    assert.deepEqual(problems, []);
  },
);
