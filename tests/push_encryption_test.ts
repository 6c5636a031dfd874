/**
 * RFC 8291 encryption (lib/notifications/push_encryption.ts) against the RFC's worked example
 * (§5 and Appendix A): every input pinned, the body must match byte for byte; and a round trip
 * through the receiving side with fresh keys.
 */
import assert from "node:assert/strict";
import { fromBase64url, toBase64url } from "../lib/notifications/base64url.ts";
import {
  checkPushKeys,
  decryptPush,
  encryptPush,
  importPushKeys,
  InvalidPushKeys,
} from "../lib/notifications/push_encryption.ts";

const RFC = {
  plaintext: "When I grow up, I want to be a watermelon",
  uaPublic:
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  uaPrivate: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
  auth: "BTBZMqHH6r4Tts7J_aSIgg",
  asPublic:
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
  asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
  salt: "DGv6ra1nlYgDCS1FRnbzlw",
  body: "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInm" +
    "YWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQe" +
    "xSgSxsj_Qulcy4a-fN",
};

/** A P-256 ECDH key pair from its raw public point and private scalar (base64url). */
async function keyPair(publicB64: string, privateB64: string): Promise<CryptoKeyPair> {
  const point = fromBase64url(publicB64)!;
  const jwk = {
    kty: "EC",
    crv: "P-256",
    x: toBase64url(point.subarray(1, 33)),
    y: toBase64url(point.subarray(33)),
  };
  const algorithm = { name: "ECDH", namedCurve: "P-256" };
  return {
    publicKey: await crypto.subtle.importKey("jwk", jwk, algorithm, true, []),
    privateKey: await crypto.subtle.importKey("jwk", { ...jwk, d: privateB64 }, algorithm, true, [
      "deriveBits",
    ]),
  };
}

Deno.test("encryptPush - RFC 8291 appendix A, byte for byte", async () => {
  const body = await encryptPush(
    { p256dh: RFC.uaPublic, auth: RFC.auth },
    new TextEncoder().encode(RFC.plaintext),
    { senderKeys: await keyPair(RFC.asPublic, RFC.asPrivate), salt: fromBase64url(RFC.salt)! },
  );
  assert.equal(toBase64url(body), RFC.body);
});

Deno.test("decryptPush - reads the RFC's example body with the user agent's key", async () => {
  const plain = await decryptPush(
    fromBase64url(RFC.body)!,
    await keyPair(RFC.uaPublic, RFC.uaPrivate),
    fromBase64url(RFC.auth)!,
  );
  assert.equal(new TextDecoder().decode(plain), RFC.plaintext);
});

Deno.test("encryptPush - a round trip with fresh keys, a new salt and key each time", async () => {
  const ua = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ]) as CryptoKeyPair;
  const auth = crypto.getRandomValues(new Uint8Array(16));
  const keys = {
    p256dh: toBase64url(new Uint8Array(await crypto.subtle.exportKey("raw", ua.publicKey))),
    auth: toBase64url(auth),
  };
  const payload = new TextEncoder().encode(JSON.stringify({ title: "Hi", body: "é ✓" }));
  const [a, b] = await Promise.all([encryptPush(keys, payload), encryptPush(keys, payload)]);
  assert.notDeepEqual(a.slice(0, 86), b.slice(0, 86));
  assert.deepEqual(await decryptPush(a, ua, auth), payload);
  assert.deepEqual(await decryptPush(b, ua, auth), payload);
});

Deno.test("importPushKeys, checkPushKeys - refuse keys that are not keys", async () => {
  await assert.rejects(importPushKeys({ p256dh: "AAAA", auth: RFC.auth }), InvalidPushKeys);
  await assert.rejects(importPushKeys({ p256dh: RFC.uaPublic, auth: "AAAA" }), InvalidPushKeys);
  // 65 bytes starting with 4, but not on the curve.
  const offCurve = toBase64url(new Uint8Array(65).fill(7).map((b, i) => i === 0 ? 4 : b));
  await assert.rejects(checkPushKeys({ p256dh: offCurve, auth: RFC.auth }), InvalidPushKeys);
  await checkPushKeys({ p256dh: RFC.uaPublic, auth: RFC.auth });
});

Deno.test("encryptPush - a payload past one record is refused", async () => {
  await assert.rejects(
    encryptPush({ p256dh: RFC.uaPublic, auth: RFC.auth }, new Uint8Array(4080)),
    RangeError,
  );
});
