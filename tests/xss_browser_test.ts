/**
 * An XSS corpus in every place users write (display names, bios, messages, server names),
 * rendered by the server and by the islands in a real browser: shown as text, no dialog, no
 * Content-Security-Policy violation.
 */
import assert from "node:assert/strict";
import { BACKENDS } from "./helpers/backends.ts";
import { islandsReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { register } from "./helpers/people.ts";

const CORPUS = [
  `<svg onload=alert(1)>`,
  `"><img src=x onerror=alert(2)>`,
  `<a href="javascript:alert(3)">click</a>`,
  `</script><script>alert(4)</script>`,
  `<iframe srcdoc="<script>alert(5)</script>">`,
  `{{constructor.constructor('alert(6)')()}}`,
  `<style>*{display:none}</style>`,
];

for (const backend of BACKENDS) {
  browserTest(`xss - hostile text everywhere is shown as text, nothing runs (${backend.name})`, {
    backend,
    env: { RATE_LIMITS: "off" },
  }, async ({ app, pageAs }) => {
    const mallory = await register(app, "mallory");
    const victim = await register(app, "victim");
    const name = CORPUS[1].slice(0, 60);
    await mallory.http.json("PATCH", "/api/me", {
      json: { displayName: name, bio: CORPUS.join("\n") },
    });
    const created = await mallory.http.json<
      { server: { id: string }; channels: { id: string }[] }
    >(
      "POST",
      "/api/servers",
      { json: { name: CORPUS[0] } },
    );
    const channelId = created.body.channels[0].id;
    const badChannel = await mallory.http.json(
      "POST",
      `/api/servers/${created.body.server.id}/channels`,
      {
        json: { name: CORPUS[0] },
      },
    );
    assert.equal(badChannel.status, 400, "markup is not a channel name");
    const invite = await mallory.http.json<{ code: string }>(
      "POST",
      `/api/servers/${created.body.server.id}/invites`,
    );
    for (const content of CORPUS.slice(0, 3)) {
      await mallory.http.json("POST", `/api/channels/${channelId}/messages`, {
        json: { content },
      });
    }

    const page = await pageAs(victim);
    const problems = watchProblems(page);
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await page.goto(`${app.url}/invite/${invite.body.code}`);
    assert.equal(await page.locator("h1").innerText(), CORPUS[0]);
    await page.getByRole("button", { name: /^Join / }).click();
    await page.waitForURL(/\/chat\/[^/]+\/[^/]+$/);
    await islandsReady(page);
    // Messages rendered by the server, then one more arriving live through the island.
    const list = page.getByTestId("message-list");
    const shown = () => page.locator("[data-seq]").allInnerTexts();
    assert.deepEqual(await shown(), CORPUS.slice(0, 3));
    await mallory.http.json("POST", `/api/channels/${channelId}/messages`, {
      json: { content: CORPUS[3] },
    });
    await page.locator("[data-seq='4']").waitFor();
    assert.deepEqual(await shown(), CORPUS.slice(0, 4));
    assert.equal(await page.locator("[aria-label='Members']").getByText(name).count(), 1);
    assert.equal(await list.getByText(name, { exact: true }).first().isVisible(), true);

    // Only our own elements exist: no injected img, svg, iframe, script or style.
    await page.goto(`${app.url}/chat/${created.body.server.id}/${channelId}`);
    await islandsReady(page);
    const injected = await page.evaluate(() =>
      document.querySelectorAll(
        "img[src=x], svg[onload], iframe, a[href^=javascript], style, body script:not([type])",
      ).length
    );
    assert.equal(injected, 0);

    // Mallory's own profile page: the bio in the form and in the live preview island.
    const profile = await pageAs(mallory);
    const profileProblems = watchProblems(profile);
    profile.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await profile.goto(`${app.url}/profile`);
    await islandsReady(profile);
    assert.equal(await profile.getByLabel("Bio").inputValue(), CORPUS.join("\n"));
    await profile.getByLabel("Bio").fill(CORPUS.slice().reverse().join("\n"));
    assert.equal(
      await profile.getByLabel("Profile preview").locator("p").last().innerText(),
      CORPUS.slice().reverse().join("\n"),
    );
    assert.equal(await profile.getByTestId("preview-name").innerText(), name);
    assert.equal(
      await profile.evaluate(() =>
        document.querySelectorAll("img[src=x], svg[onload], iframe").length
      ),
      0,
    );
    assert.deepEqual(profileProblems, []);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(problems.filter((p) => /Content.Security.Policy|Refused/i.test(p)), []);
    assert.deepEqual(problems, []);
  });
}
