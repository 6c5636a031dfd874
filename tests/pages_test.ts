/**
 * The server-rendered pages as a browser without JavaScript uses them: real form posts,
 * redirects, errors next to fields, the typed username kept.
 */
import assert from "node:assert/strict";
import { room } from "./helpers/people.ts";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { PNG_1X1 } from "./helpers/fixtures.ts";

const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields) });

appTest("pages - / sends visitors to /login and members to /chat", async (app) => {
  const client = new HttpClient(app.url);
  assert.equal((await client.request("GET", "/")).headers.get("Location"), "/login");
  const chat = await client.request("GET", "/chat");
  assert.equal(chat.status, 303);
  assert.equal(chat.headers.get("Location"), "/login?next=%2Fchat");
  await client.request("POST", "/register", form({ username: "nojs", password: "long enough" }));
  assert.equal((await client.request("GET", "/")).headers.get("Location"), "/chat");
  const page = await client.request("GET", "/chat");
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Welcome, nojs!/);
});

appTest("pages - register form: errors next to the field, username kept", async (app) => {
  const client = new HttpClient(app.url);
  const bad = await client.request(
    "POST",
    "/register",
    form({ username: "Bad Name", password: "short" }),
  );
  assert.equal(bad.status, 400);
  const html = await bad.text();
  assert.match(html, /id="username-error"[^>]*>Username must be 3–32 characters/);
  assert.match(html, /id="password-error"[^>]*>Password must be 8–128 characters/, "all at once");
  assert.match(html, /name="username"[^>]*value="Bad Name"|value="Bad Name"[^>]*name="username"/);
  assert.equal(client.cookie, undefined);

  const ok = await client.request(
    "POST",
    "/register",
    form({ username: "Walter", password: "long enough" }),
  );
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get("Location"), "/chat");
  assert.ok(client.cookie);
  const taken = await new HttpClient(app.url).request(
    "POST",
    "/register",
    form({ username: "walter", password: "long enough" }),
  );
  assert.equal(taken.status, 409);
  assert.match(await taken.text(), /id="username-error"[^>]*>That username is taken/);
});

appTest("pages - login form: wrong password shown, username kept, next honoured", async (app) => {
  const client = new HttpClient(app.url);
  await client.request("POST", "/register", form({ username: "xena", password: "long enough" }));
  await client.request("POST", "/logout");
  assert.equal(client.cookie, undefined);
  const wrong = await client.request(
    "POST",
    "/login",
    form({ username: "xena", password: "nope nope" }),
  );
  assert.equal(wrong.status, 401);
  const html = await wrong.text();
  assert.match(html, /role="alert"[^>]*>Wrong username or password/);
  assert.match(html, /value="xena"/);
  const ok = await client.request(
    "POST",
    "/login?next=%2Fprofile",
    form({ username: "XENA", password: "long enough" }),
  );
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get("Location"), "/profile");
  const offsite = await new HttpClient(app.url).request(
    "POST",
    "/login?next=%2F%2Fevil.example",
    form({ username: "xena", password: "long enough" }),
  );
  assert.equal(offsite.headers.get("Location"), "/chat");
});

appTest("pages - profile form saves; bad input is shown with what was typed", async (app) => {
  const client = new HttpClient(app.url);
  await client.request("POST", "/register", form({ username: "yara", password: "long enough" }));
  const saved = await client.request(
    "POST",
    "/profile",
    form({ displayName: "Yara Y", bio: "Hi <b>there</b>" }),
  );
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get("Location"), "/profile?saved=profile");
  const page = await (await client.request("GET", "/profile?saved=profile")).text();
  assert.match(page, /Profile saved\./);
  assert.match(page, /Hi &lt;b>there&lt;\/b>/);
  assert.doesNotMatch(page, /<b>there<\/b>/);

  const bad = await client.request("POST", "/profile", form({ displayName: "", bio: "kept bio" }));
  assert.equal(bad.status, 400);
  const html = await bad.text();
  assert.match(html, /id="displayName-error"/);
  assert.match(html, />kept bio<\/textarea>/);
});

appTest("pages - avatar upload form: multipart, sniffed type, errors shown", async (app) => {
  const client = new HttpClient(app.url);
  await client.request("POST", "/register", form({ username: "zack", password: "long enough" }));
  const upload = (bytes: Uint8Array<ArrayBuffer>, name: string, type: string) => {
    const body = new FormData();
    body.set("avatar", new File([bytes], name, { type }));
    return client.request("POST", "/profile/avatar", { body });
  };
  const liar = await upload(
    new TextEncoder().encode("<svg onload=alert(1)>"),
    "evil.png",
    "image/png",
  );
  assert.equal(liar.status, 400);
  assert.match(await liar.text(), /not a PNG, JPEG, WebP or GIF image/);
  // The name and claimed type say text; the bytes say PNG: the bytes win.
  const ok = await upload(PNG_1X1, "notes.txt", "text/plain");
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get("Location"), "/profile?saved=avatar");
  const me = await client.json<{ user: { avatarUrl: string } }>("GET", "/api/me");
  const image = await fetch(app.url + me.body.user.avatarUrl);
  assert.equal(image.headers.get("Content-Type"), "image/png");
  await image.body?.cancel();
});

appTest("pages - forms refuse other content types with 415", async (app) => {
  const response = await new HttpClient(app.url).request("POST", "/login", {
    json: { username: "a", password: "b" },
  });
  assert.equal(response.status, 415);
});

appTest("pages - without JavaScript: post, delete and leave through forms", async (app) => {
  const owner = new HttpClient(app.url);
  const member = new HttpClient(app.url);
  await owner.request(
    "POST",
    "/register",
    form({ username: "form.owner", password: "long enough" }),
  );
  await member.request(
    "POST",
    "/register",
    form({ username: "form.member", password: "long enough" }),
  );
  const created = await owner.request("POST", "/chat/servers", form({ name: "Forms" }));
  assert.equal(created.status, 303);
  const [, serverId, channelId] = created.headers.get("Location")!.match(
    /^\/chat\/([^/]+)\/([^/]+)$/,
  )!;
  const invited = await owner.request("POST", `/chat/${serverId}/invites`);
  const code = decodeURIComponent(invited.headers.get("Location")!.split("invite=")[1]);
  const joined = await member.request(
    "POST",
    "/chat/join",
    form({ invite: `${app.url}/invite/${code}` }),
  );
  assert.equal(joined.headers.get("Location"), `/chat/${serverId}/${channelId}`);

  const posted = await member.request(
    "POST",
    `/chat/${serverId}/${channelId}/messages`,
    form({ content: "no js here" }),
  );
  assert.equal(posted.status, 303);
  const page = await (await owner.request("GET", `/chat/${serverId}/${channelId}`)).text();
  assert.match(page, /no js here/);
  const id =
    (await owner.json<{ messages: { id: string }[] }>("GET", `/api/channels/${channelId}/messages`))
      .body
      .messages[0].id;
  const deleted = await owner.request(
    "POST",
    `/chat/${serverId}/${channelId}/messages/${id}/delete`,
  );
  assert.equal(deleted.status, 303, "the owner may delete anyone's message");
  assert.doesNotMatch(
    await (await owner.request("GET", `/chat/${serverId}/${channelId}`)).text(),
    /no js here/,
  );

  const ownerLeaves = await owner.request("POST", `/chat/${serverId}/leave`);
  assert.equal(ownerLeaves.status, 409);
  assert.match(await ownerLeaves.text(), /The owner cannot leave/);
  const left = await member.request("POST", `/chat/${serverId}/leave`);
  assert.equal(left.headers.get("Location"), "/chat");
  assert.equal((await member.request("GET", `/chat/${serverId}/${channelId}`)).status, 404);
});

appTest("pages - scripts and styles go out gzipped (built once), pages compressed", async (app) => {
  const client = new HttpClient(app.url);
  for (const path of ["/build/runtime/boot.js", "/build/app.css"]) {
    const raw = await Deno.readTextFile(new URL(`../static${path}`, import.meta.url));
    const zipped = await client.request("GET", path, { headers: { "Accept-Encoding": "gzip" } });
    assert.equal(zipped.headers.get("Content-Encoding"), "gzip", path);
    assert.equal(await zipped.text(), raw, `${path} decompresses to the file`);
    const plain = await client.request("GET", path, { headers: { "Accept-Encoding": "identity" } });
    assert.equal(plain.headers.get("Content-Encoding"), null);
    assert.equal(await plain.text(), raw);
  }
  const page = await client.request("GET", "/login", { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(page.headers.get("Content-Encoding"), "gzip");
  assert.match(await page.text(), /<form/);
});

appTest("invite page - logged out, it names the server and its member count", async (app) => {
  const { serverId, owner } = await room(app);
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  const page = await fetch(`${app.url}/invite/${invite.body.code}`);
  const html = await page.text();
  assert.equal(page.status, 200);
  assert.match(html, /<title>Join Room/);
  assert.match(html, /2 members/);
  const unknown = await fetch(`${app.url}/invite/no-such-code`);
  await unknown.body?.cancel();
  assert.equal(unknown.status, 404);
});

appTest(
  "chat page - the unread seed does not spend the reader's read budget",
  async (app) => {
    const { serverId, channelId, owner, member } = await room(app);
    const channels = [channelId];
    for (const name of ["two", "three"]) {
      const made = await owner.http.json<{ channel: { id: string } }>(
        "POST",
        `/api/servers/${serverId}/channels`,
        { json: { name } },
      );
      channels.push(made.body.channel.id);
    }
    for (const id of channels) {
      for (let i = 0; i < 40; i++) {
        await owner.http.json("POST", `/api/channels/${id}/messages`, {
          json: { content: `m${i}` },
        });
      }
    }
    // 3 unread channels × 40 messages is past a budget of 60; the page shows one page of 50.
    for (let load = 0; load < 2; load++) {
      const page = await member.http.request("GET", `/chat/${serverId}/${channelId}`);
      await page.body?.cancel();
      assert.equal(page.status, 200, `load ${load + 1}`);
    }
  },
  { READ_RATE_LIMIT: "120", MESSAGE_RATE_LIMIT: "0" },
);
