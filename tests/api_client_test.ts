/**
 * The islands' API client (islands/runtime/api.ts) in a real browser against the real app:
 * typed values on success, and every failure (the API's error answer, an answer that is not
 * JSON, no answer at all) as one `ApiError`.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { ApiResult } from "../islands/runtime/api.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

/** The client bundled for the browser, as `window.salonApi` (the way the islands build it). */
async function bundledClient(): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const api = new URL("../islands/runtime/api.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/entry.ts`,
      `import * as api from "${api}";\n(globalThis as Record<string, unknown>).salonApi = api;\n`,
    );
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform=browser", "--format=iife", `${dir}/entry.ts`],
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    return new TextDecoder().decode(stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Calls `salonApi[name](...args)` in the page. */
function call<T>(page: Page, name: string, ...args: unknown[]): Promise<ApiResult<T>> {
  return page.evaluate(
    ([name, args]) =>
      // deno-lint-ignore no-explicit-any
      ((globalThis as any).salonApi[name as string] as (...a: unknown[]) => Promise<unknown>)(
        ...(args as unknown[]),
      ),
    [name, args] as const,
  ) as Promise<ApiResult<T>>;
}

browserTest("api client - typed answers, and every failure as one error shape", {
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const client = await bundledClient();
  const { serverId, channelId, owner, member } = await room(app);
  const posted = await owner.http.json<{ message: { id: string } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content: "from the owner" } },
  );
  // The client is injected into one of the app's own pages, so it runs on the app's origin.
  const page = await pageAs(member, { bypassCSP: true });
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await page.addScriptTag({ content: client });

  const sent = await member.http.json<{ message: { id: string } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content: "mine" } },
  );
  const page1 = await call<{ seq: number; content: string }[]>(
    page,
    "listMessages",
    channelId,
    { before: 2, limit: 10 },
  );
  assert.ok(page1.ok);
  assert.deepEqual(page1.value.map((m) => [m.seq, m.content]), [[1, "from the owner"]]);

  const edited = await call<{ content: string; editedAt: string | null }>(
    page,
    "editMessage",
    sent.body.message.id,
    "mine, edited",
  );
  assert.ok(edited.ok);
  assert.equal(edited.value.content, "mine, edited");
  assert.ok(edited.value.editedAt);
  assert.deepEqual(await call(page, "markRead", channelId, 2), { ok: true, value: undefined });

  // The API's own error answer: its status, code and message, as the server sent them.
  const direct = await member.http.json<{ error: { code: string; message: string } }>(
    "PATCH",
    `/api/messages/${posted.body.message.id}`,
    { json: { content: "not mine" } },
  );
  const refused = await call(page, "editMessage", posted.body.message.id, "not mine");
  assert.deepEqual(refused, {
    ok: false,
    error: { status: direct.status, ...direct.body.error },
  });
  const tooLong = await call(page, "editMessage", sent.body.message.id, "x".repeat(5000));
  assert.equal(!tooLong.ok && tooLong.error.code, "content_too_long");
  const unknown = await call(page, "deleteMessage", "no-such-message");
  assert.equal(!unknown.ok && unknown.error.status, 404);

  // No answer at all, and an answer that is not the API's JSON (a proxy's error page).
  await page.route("**/api/servers/*/invites", (route) => route.abort("internetdisconnected"));
  const offline = await call(page, "createInvite", serverId);
  assert.equal(!offline.ok && offline.error.status, 0);
  assert.equal(!offline.ok && offline.error.code, "network_error");
  await page.unroute("**/api/servers/*/invites");
  await page.route(
    "**/api/me",
    (route) =>
      route.fulfill({ status: 502, contentType: "text/html", body: "<h1>Bad gateway</h1>" }),
  );
  const gateway = await call(page, "updateProfile", { bio: "hello" });
  assert.deepEqual(gateway, {
    ok: false,
    error: { status: 502, code: "http_502", message: "The server refused (502)." },
  });
  await page.unroute("**/api/me");

  const invite = await call<string>(page, "createInvite", serverId);
  assert.ok(invite.ok);
  assert.match(invite.value, /^[\w-]+$/);
});
