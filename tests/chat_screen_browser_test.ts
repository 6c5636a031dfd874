/**
 * The chat screen's frame: the server rail's mention counts across a reload, the user panel
 * (Log out, Settings) and leaving a server, which asks first (a dialog, or a page without
 * JavaScript).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { BACKENDS, KV_BACKEND } from "./helpers/backends.ts";
import type { Backend } from "./helpers/backends.ts";
import { islandsReady, socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import type { BrowserSession } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";
import type { Room } from "./helpers/people.ts";

/** Registers a browser test on `backend` whose app, without rate limits, has a room in it. */
function roomTest(
  name: string,
  backend: Backend,
  run: (session: BrowserSession, place: Room) => Promise<void>,
) {
  browserTest(
    name,
    { backend, env: { RATE_LIMITS: "off" } },
    async (session) => await run(session, await room(session.app)),
  );
}

/** A second server of the room's owner that the member joins; its first channel's id. */
async function secondServer({ owner, member }: Room, name: string) {
  const created = await owner.http.json<{ server: { id: string }; channels: { id: string }[] }>(
    "POST",
    "/api/servers",
    { json: { name } },
  );
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${created.body.server.id}/invites`,
  );
  await member.http.request("POST", `/api/invites/${invite.body.code}/join`);
  return { serverId: created.body.server.id, channelId: created.body.channels[0].id };
}

const railEntry = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Servers" }).getByRole("link", { name, exact: true });

for (const backend of BACKENDS) {
  roomTest(
    `server rail - mention counts of other servers survive a reload (${backend.name})`,
    backend,
    async ({ app, pageAs }, place) => {
      const other = await secondServer(place, "Other place");
      const third = await secondServer(place, "Quiet place");
      const post = (channelId: string, content: string) =>
        place.owner.http.json("POST", `/api/channels/${channelId}/messages`, {
          json: { content },
        });
      await post(other.channelId, "hello @member");
      await post(other.channelId, "and hello again");
      await post(third.channelId, "nothing for you");

      const page = await pageAs(place.member);
      const problems = watchProblems(page);
      await page.goto(`${app.url}/chat/${place.serverId}/${place.channelId}`);
      for (let load = 0; load < 2; load++) {
        // As rendered, then once `ready` has updated the store.
        await railEntry(page, "Other place, 2 unread, 1 mention").waitFor();
        await railEntry(page, "Quiet place, 1 unread").waitFor();
        await socketReady(page);
        await railEntry(page, "Other place, 2 unread, 1 mention").waitFor();
        await railEntry(page, "Quiet place, 1 unread").waitFor();
        assert.equal(
          await railEntry(page, "Other place, 2 unread, 1 mention").locator("[data-mentions]")
            .innerText(),
          "1",
        );
        await page.reload();
      }

      // Reading it elsewhere (the API, as another tab would) clears the count live.
      await socketReady(page);
      await place.member.http.request("PUT", `/api/channels/${other.channelId}/read`, {
        json: { seq: 2 },
      });
      await railEntry(page, "Other place").waitFor();
      assert.deepEqual(problems, []);
    },
  );
}

for (const javaScriptEnabled of [true, false]) {
  const how = javaScriptEnabled ? "with JavaScript" : "without JavaScript";
  roomTest(
    `user panel - Settings opens the profile, Log out logs out (${how})`,
    KV_BACKEND,
    async ({ app, pageAs }, place) => {
      const page = await pageAs(place.member, { javaScriptEnabled });
      // Without JavaScript the browser refuses the module preloads: not the page's fault.
      const problems = javaScriptEnabled ? watchProblems(page) : [];
      const chat = `${app.url}/chat/${place.serverId}/${place.channelId}`;
      // With JavaScript, leave only a settled page: a socket cut mid-handshake logs an error.
      const open = async () => {
        await page.goto(chat);
        if (javaScriptEnabled) await socketReady(page);
      };
      await open();
      await page.getByRole("link", { name: "Settings" }).click();
      await page.waitForURL(`${app.url}/profile`);
      await open();
      await page.getByRole("button", { name: "Log out" }).click();
      await page.waitForURL(`${app.url}/login`);
      await page.goto(chat);
      await page.waitForURL(/\/login\?next=/);
      assert.deepEqual(problems, []);
    },
  );
}

roomTest(
  "leave server - the header's Leave asks in a dialog; Cancel keeps, confirm leaves",
  KV_BACKEND,
  async ({ app, pageAs }, place) => {
    const page = await pageAs(place.member);
    const problems = watchProblems(page);
    await page.goto(`${app.url}/chat/${place.serverId}/${place.channelId}`);
    await islandsReady(page);
    // One control, above the channel list, that only asks.
    assert.equal(await page.getByRole("button", { name: /leave/i }).count(), 0);
    const above = await page.getByRole("link", { name: "Leave Room" }).evaluate((leave) =>
      !!(leave.compareDocumentPosition(document.querySelector("nav[aria-label=Channels]")!) &
        Node.DOCUMENT_POSITION_FOLLOWING)
    );
    assert.ok(above, "Leave sits in the server's header, before the channels");

    await page.getByRole("link", { name: "Leave Room" }).click();
    const dialog = page.getByRole("dialog", { name: "Leave Room?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    assert.equal(new URL(page.url()).pathname, `/chat/${place.serverId}/${place.channelId}`);
    assert.equal(
      (await place.member.http.request("GET", `/api/servers/${place.serverId}`)).status,
      200,
    );

    await page.getByRole("link", { name: "Leave Room" }).click();
    await dialog.getByRole("button", { name: "Leave server" }).click();
    await page.waitForURL(`${app.url}/chat`);
    assert.equal(await railEntry(page, "Room").count(), 0);
    assert.equal(
      (await place.member.http.request("GET", `/api/servers/${place.serverId}`)).status,
      404,
    );
    assert.deepEqual(problems, []);
  },
);

roomTest(
  "leave server - without JavaScript, Leave opens a confirmation page",
  KV_BACKEND,
  async ({ app, pageAs }, place) => {
    const page = await pageAs(place.member, { javaScriptEnabled: false });
    await page.goto(`${app.url}/chat/${place.serverId}/${place.channelId}`);
    await page.getByRole("link", { name: "Leave Room" }).click();
    await page.waitForURL(`${app.url}/chat/${place.serverId}/leave`);
    await page.getByRole("heading", { name: "Leave Room?" }).waitFor();
    await page.getByRole("link", { name: "Cancel" }).click();
    await page.waitForURL(`${app.url}/chat/${place.serverId}/${place.channelId}`);
    assert.equal(
      (await place.member.http.request("GET", `/api/servers/${place.serverId}`)).status,
      200,
    );

    await page.goto(`${app.url}/chat/${place.serverId}/leave`);
    await page.getByRole("button", { name: "Leave server" }).click();
    await page.waitForURL(`${app.url}/chat`);
    assert.equal(
      (await place.member.http.request("GET", `/api/servers/${place.serverId}`)).status,
      404,
    );

    // The owner is told on the page that an owner cannot leave, and nothing is offered.
    const owner = await pageAs(place.owner, { javaScriptEnabled: false });
    await owner.goto(`${app.url}/chat/${place.serverId}/${place.channelId}`);
    assert.equal(await owner.getByRole("link", { name: "Leave Room" }).count(), 0);
  },
);
