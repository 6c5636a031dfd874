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

/** Counts the HMAC checks made while `run` runs (jose verifies through crypto.subtle.verify). */
async function countingVerifications(run: () => Promise<void>): Promise<number> {
  const subtle = crypto.subtle;
  const original = subtle.verify;
  let calls = 0;
  subtle.verify = function (...args: Parameters<SubtleCrypto["verify"]>) {
    calls++;
    return original.apply(subtle, args);
  };
  try {
    await run();
  } finally {
    // Own property removed: the prototype's method shows through again.
    delete (subtle as { verify?: unknown }).verify;
  }
  return calls;
}

Deno.test("tokens - a verified token is checked once, then served from the cache", async () => {
  const signer = createTokenSigner(SECRET);
  const token = await signer.sign({ ...claims, expiresAt: new Date(Date.now() + 60_000) });
  const calls = await countingVerifications(async () => {
    for (let i = 0; i < 5; i++) assert.deepEqual(await signer.verify(token), claims);
  });
  assert.equal(calls, 1);
});

Deno.test("tokens - a cached token still expires at its exp", async () => {
  let now = Date.UTC(2030, 0, 1);
  const signer = createTokenSigner(SECRET, { now: () => now });
  const token = await signer.sign({ ...claims, expiresAt: new Date(now + 60_000) });
  assert.deepEqual(await signer.verify(token), claims);
  now += 59_999;
  assert.deepEqual(await signer.verify(token), claims);
  now += 1;
  assert.equal(await signer.verify(token), null);
  // Dropped, not revived: a later check (the clock set back) verifies it in full again.
  now -= 1;
  const calls = await countingVerifications(async () => {
    assert.deepEqual(await signer.verify(token), claims);
  });
  assert.equal(calls, 1);
});

Deno.test("tokens - a tampered copy of a cached token is still refused", async () => {
  const signer = createTokenSigner(SECRET);
  const token = await signer.sign({ ...claims, expiresAt: new Date(Date.now() + 60_000) });
  assert.deepEqual(await signer.verify(token), claims);
  const [header, , signature] = token.split(".");
  const payload = btoa(JSON.stringify({ sub: "admin", sid: "s1", iss: "salon", exp: 9e9 }))
    .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  // The signature's first character changed (its last one carries two unused bits).
  const forged = `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
  for (
    const tampered of [
      `${header}.${payload}.${signature}`,
      `${header}.${token.split(".")[1]}.${forged}`,
      token.slice(0, -1),
    ]
  ) {
    assert.equal(await signer.verify(tampered), null, tampered);
  }
  assert.deepEqual(await signer.verify(token), claims);
});

Deno.test("tokens - the cache keeps at most cacheMax tokens, dropping the oldest", async () => {
  const signer = createTokenSigner(SECRET, { cacheMax: 2 });
  const expiresAt = new Date(Date.now() + 60_000);
  const [a, b, c] = await Promise.all(
    ["s1", "s2", "s3"].map((sessionId) => signer.sign({ userId: "u1", sessionId, expiresAt })),
  );
  for (const token of [a, b, c]) await signer.verify(token);
  // c and b are cached; a, the oldest, was dropped and is checked again.
  assert.equal(await countingVerifications(async () => void await signer.verify(c)), 0);
  assert.equal(await countingVerifications(async () => void await signer.verify(b)), 0);
  assert.equal(await countingVerifications(async () => void await signer.verify(a)), 1);
});
