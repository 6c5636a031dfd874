import assert from "node:assert/strict";
import { SignJWT, UnsecuredJWT } from "jose";
import { createTokenSigner } from "../lib/tokens.ts";

const SECRET = "x".repeat(32);
const claims = { userId: "u1", sessionId: "s1" };

Deno.test("tokens - sign then verify", async () => {
  const signer = createTokenSigner(SECRET);
  const token = await signer.sign({ ...claims, expiresAt: new Date(Date.now() + 60_000) });
  assert.deepEqual(await signer.verify(token), claims);
});

Deno.test("tokens - refuses alg none, other algorithms, other keys, edits and expiry", async () => {
  const signer = createTokenSigner(SECRET);
  const key = new TextEncoder().encode(SECRET);
  const unsecured = new UnsecuredJWT({ sid: "s1" }).setSubject("u1").setIssuer("salon").encode();
  const hs512 = await new SignJWT({ sid: "s1" }).setProtectedHeader({ alg: "HS512" })
    .setSubject("u1").setIssuer("salon").setExpirationTime("1h").sign(key);
  const otherKey = await createTokenSigner("y".repeat(32)).sign({
    ...claims,
    expiresAt: new Date(Date.now() + 60_000),
  });
  const expired = await signer.sign({ ...claims, expiresAt: new Date(Date.now() - 10_000) });
  const valid = await signer.sign({ ...claims, expiresAt: new Date(Date.now() + 60_000) });
  const [header, , signature] = valid.split(".");
  const payload = btoa(JSON.stringify({ sub: "admin", sid: "s1", iss: "salon", exp: 9e9 }))
    .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const edited = `${header}.${payload}.${signature}`;
  for (const token of [unsecured, hs512, otherKey, expired, edited, "garbage", ""]) {
    assert.equal(await signer.verify(token), null, token);
  }
});
