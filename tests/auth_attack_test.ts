/** Attacks on authentication through the real app: forged, foreign and stale tokens, cookies. */
import assert from "node:assert/strict";
import { SignJWT, UnsecuredJWT } from "jose";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { register } from "./helpers/people.ts";
import { WsClient } from "./helpers/ws_client.ts";

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

appTest(
  "tokens - alg none, another algorithm or key, an edited payload, expiry: all 401",
  async (app) => {
    const alice = await register(app, "alice");
    const bob = await register(app, "bob");
    const [header, payload, signature] = alice.token.split(".");
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    const otherKey = new TextEncoder().encode("k".repeat(32));
    const forged = [
      new UnsecuredJWT({ ...claims }).encode(),
      `${base64url({ alg: "none", typ: "JWT" })}.${payload}.`,
      await new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS512" }).sign(otherKey),
      await new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS256" }).sign(otherKey),
      `${header}.${base64url({ ...claims, sub: bob.id })}.${signature}`,
      `${header}.${base64url({ ...claims, exp: claims.exp + 3600 })}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
      "",
      "x.y.z",
    ];
    for (const token of forged) {
      const response = await new HttpClient(app.url).json("GET", "/api/me", {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(response.status, 401, token);
      const cookie = await new HttpClient(app.url).json("GET", "/api/me", {
        headers: { Cookie: `salon_session=${token}` },
      });
      assert.equal(cookie.status, 401, token);
    }
    assert.equal((await alice.http.json("GET", "/api/me")).status, 200, "the real one still works");
  },
);

appTest("tokens - a correctly signed but expired token is 401", async (app) => {
  const alice = await register(app, "alice");
  const [, payload] = alice.token.split(".");
  const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
  // The development secret the app generated and keeps in the store.
  const secret = await app.testStore.store.getOrCreateSetting("jwt_secret", "unused");
  const expired = await new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer("salon")
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
    .sign(new TextEncoder().encode(secret));
  const response = await new HttpClient(app.url).json("GET", "/api/me", {
    headers: { Authorization: `Bearer ${expired}` },
  });
  assert.equal(response.status, 401);
  const fresh = await new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer("salon")
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
  const control = await new HttpClient(app.url).json("GET", "/api/me", {
    headers: { Authorization: `Bearer ${fresh}` },
  });
  assert.equal(control.status, 200, "the same token, not expired, is accepted");
});

appTest("tokens - a forged token opens no WebSocket", async (app) => {
  const alice = await register(app, "alice");
  const [header, payload] = alice.token.split(".");
  const ws = await WsClient.connect(app.url, { cookie: `salon_session=${header}.${payload}.AAAA` });
  ws.send({ type: "send", channelId: "c", content: "hi", nonce: "n" });
  assert.equal((await ws.next("error")).code, "unauthorized");
  await ws.close();
});

appTest("cookies - Secure when the app is served over https", async (app) => {
  const client = new HttpClient(app.url);
  const response = await client.request("POST", "/api/auth/register", {
    json: { username: "secure.one", password: "correct horse" },
    headers: { Origin: "https://chat.example.com" },
  });
  assert.equal(response.status, 201);
  const cookie = response.headers.get("Set-Cookie")!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Secure/);
}, { ORIGIN: "https://chat.example.com" });
