/** `deno task vapid-keys` prints a pair production takes as is, and that signs verifiable pushes. */
import assert from "node:assert/strict";
import { importJWK, jwtVerify } from "jose";
import { parsePushConfig } from "../lib/notifications/push_config.ts";
import { resolveVapidKeys, VapidSigner } from "../lib/notifications/vapid_keys.ts";
import { fromBase64url, toBase64url } from "../lib/notifications/base64url.ts";

async function printedPair(): Promise<Record<string, string>> {
  const script = new URL("../lib/notifications/print_vapid_keys.ts", import.meta.url);
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", script.pathname],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(code, 0);
  const lines = new TextDecoder().decode(stdout).trim().split("\n");
  return Object.fromEntries(lines.map((line) => line.split("=", 2)));
}

Deno.test("vapid-keys - a new pair each time, taken by production and verified by its public key", async () => {
  const env = await printedPair();
  assert.deepEqual(Object.keys(env), ["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"]);
  assert.notEqual((await printedPair()).VAPID_PUBLIC_KEY, env.VAPID_PUBLIC_KEY);
  const push = parsePushConfig(env);
  const noStore = {
    getOrCreateSetting: () => Promise.reject(new Error("production reads no stored pair")),
  };
  const keys = await resolveVapidKeys(push, { production: true }, noStore);
  assert.ok(keys);
  assert.equal(keys.publicKey, env.VAPID_PUBLIC_KEY);

  const header = await new VapidSigner(keys).authorization("https://push.example/send/1");
  const [, jwt, k] = header.match(/^vapid t=([^,]+), k=(.+)$/)!;
  assert.equal(k, env.VAPID_PUBLIC_KEY);
  const point = fromBase64url(k)!;
  const publicKey = await importJWK({
    kty: "EC",
    crv: "P-256",
    x: toBase64url(point.subarray(1, 33)),
    y: toBase64url(point.subarray(33)),
  }, "ES256");
  const { payload } = await jwtVerify(jwt, publicKey, { audience: "https://push.example" });
  assert.equal(payload.sub, "mailto:push@localhost");
});
