/** PUT /api/me/avatar and GET /api/users/:id/avatar through the real app on both stores. */
import assert from "node:assert/strict";
import { AVATAR_MAX_BYTES } from "../lib/limits.ts";
import { appTest } from "./helpers/app_test.ts";
import { GIF_1X1, JPEG_MIN, PNG_1X1 } from "./helpers/fixtures.ts";
import { HttpClient } from "./helpers/http_client.ts";
import type { TestApp } from "./helpers/test_app.ts";

interface UserBody {
  id: string;
  avatarUrl: string;
}

async function signedIn(app: TestApp) {
  const client = new HttpClient(app.url);
  const { body } = await client.json<{ user: UserBody }>("POST", "/api/auth/register", {
    json: { username: "avatar.owner", password: "correct horse", displayName: "Zoë" },
  });
  return { client, user: body.user };
}

function putAvatar(client: HttpClient, bytes: Uint8Array<ArrayBuffer>, type: string) {
  return client.json<{ user: UserBody; error?: { code: string } }>("PUT", "/api/me/avatar", {
    body: bytes,
    headers: { "Content-Type": type },
  });
}

appTest(
  "GET /api/users/:id/avatar - a generated default for a user without an upload",
  async (app) => {
    const { user } = await signedIn(app);
    const response = await fetch(app.url + user.avatarUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("Content-Type")!, /^image\/svg\+xml/);
    assert.equal(response.headers.get("X-Content-Type-Options"), "nosniff");
    const svg = await response.text();
    assert.match(svg, /^<svg /);
    assert.match(svg, />Z<\/text>/);
    const missing = await fetch(`${app.url}/api/users/${crypto.randomUUID()}/avatar`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, "not_found");
  },
);

appTest(
  "PUT /api/me/avatar - stores the image, versions the URL, serves the bytes",
  async (app) => {
    const { client, user } = await signedIn(app);
    const put = await putAvatar(client, PNG_1X1, "image/png");
    assert.equal(put.status, 200);
    assert.match(put.body.user.avatarUrl, new RegExp(`^/api/users/${user.id}/avatar\\?v=.+`));
    const image = await fetch(app.url + put.body.user.avatarUrl);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get("Content-Type"), "image/png");
    assert.match(image.headers.get("Cache-Control")!, /immutable/);
    assert.deepEqual(new Uint8Array(await image.arrayBuffer()), PNG_1X1);

    const again = await putAvatar(client, GIF_1X1, "image/gif");
    assert.notEqual(again.body.user.avatarUrl, put.body.user.avatarUrl);
    const me = await client.json<{ user: UserBody }>("GET", "/api/me");
    assert.equal(me.body.user.avatarUrl, again.body.user.avatarUrl);
    const gif = await fetch(app.url + again.body.user.avatarUrl);
    assert.deepEqual(new Uint8Array(await gif.arrayBuffer()), GIF_1X1);
  },
);

appTest("PUT /api/me/avatar - refuses lies, truncation, other types and oversize", async (app) => {
  const { client } = await signedIn(app);
  const textual = await putAvatar(client, new TextEncoder().encode("hello"), "text/plain");
  assert.equal(textual.status, 415);
  const svg = await putAvatar(client, new TextEncoder().encode("<svg/>"), "image/svg+xml");
  assert.equal(svg.status, 415);
  const lie = await putAvatar(client, JPEG_MIN, "image/png");
  assert.equal(lie.status, 400);
  assert.equal(lie.body.error?.code, "invalid_image");
  const notImage = await putAvatar(client, new TextEncoder().encode("<html>"), "image/png");
  assert.equal(notImage.status, 400);
  const truncated = await putAvatar(client, PNG_1X1.slice(0, PNG_1X1.length - 6), "image/png");
  assert.equal(truncated.status, 400);
  assert.equal(truncated.body.error?.code, "invalid_image");
  const huge = new Uint8Array(AVATAR_MAX_BYTES + 1);
  huge.set(PNG_1X1.slice(0, 16));
  const tooLarge = await putAvatar(client, huge, "image/png");
  assert.equal(tooLarge.status, 413);
  const me = await client.json<{ user: UserBody }>("GET", "/api/me");
  assert.doesNotMatch(me.body.user.avatarUrl, /\?v=/, "nothing was stored");
});

appTest("PUT /api/me/avatar - needs a session", async (app) => {
  const response = await putAvatar(new HttpClient(app.url), PNG_1X1, "image/png");
  assert.equal(response.status, 401);
});
