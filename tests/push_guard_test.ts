/**
 * The push endpoint guard (lib/notifications/endpoint_guard.ts): https on a public address, every
 * DNS answer checked (the resolver is passed in: no network), IPv4 hidden in IPv6 seen through;
 * and the push settings' validation (lib/notifications/push_config.ts).
 */
import assert from "node:assert/strict";
import {
  checkEndpoint,
  EndpointRefused,
  isPrivateAddress,
} from "../lib/notifications/endpoint_guard.ts";
import { parsePushConfig } from "../lib/notifications/push_config.ts";
import { ConfigError } from "../lib/config.ts";

Deno.test("isPrivateAddress - loopback, private, link-local, ULA, mapped, NAT64, 6to4", () => {
  for (
    const address of [
      "127.0.0.1",
      "0.0.0.0",
      "10.1.2.3",
      "100.64.0.1",
      "169.254.169.254",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "198.18.0.1",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "64:ff9b::10.0.0.1",
      "2002:c0a8:0101::1",
      "2001:db8::1",
    ]
  ) assert.equal(isPrivateAddress(address), true, address);
  for (
    const address of ["8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "2a00:1450::"]
  ) assert.equal(isPrivateAddress(address), false, address);
  assert.equal(isPrivateAddress("push.example.com"), null);
  assert.equal(isPrivateAddress("1.2.3"), null);
});

Deno.test("checkEndpoint - https on a public address only; every DNS answer checked", async () => {
  const dns: Record<string, string[]> = {
    "push.example.com": ["203.0.114.9", "2606:4700::1"],
    "rebind.example.com": ["93.184.216.34", "127.0.0.1"],
    "inside.example.com": ["fd00::5"],
  };
  const options = {
    allowLoopback: false,
    resolve: (host: string) => Promise.resolve(dns[host] ?? []),
  };
  await checkEndpoint("https://push.example.com/send/abc", options);
  await checkEndpoint("https://8.8.8.8/x", options);
  for (
    const endpoint of [
      "http://push.example.com/send/abc",
      "https://rebind.example.com/x",
      "https://inside.example.com/x",
      "https://unknown.example.com/x",
      "https://localhost/x",
      "https://intranet/x",
      "https://127.1/x",
      "https://0x7f000001/x",
      "https://[::ffff:10.0.0.1]/x",
      "https://a:b@push.example.com/x",
      "not a url",
    ]
  ) await assert.rejects(checkEndpoint(endpoint, options), EndpointRefused, endpoint);
  // PUSH_ALLOW_LOOPBACK=1: loopback and http are fine, other schemes still are not.
  await checkEndpoint("http://127.0.0.1:9/x", { allowLoopback: true });
  await assert.rejects(
    checkEndpoint("file:///etc/passwd", { allowLoopback: true }),
    EndpointRefused,
  );
});

Deno.test("parsePushConfig - keys go in pairs and must be keys; subject and flag checked", () => {
  assert.deepEqual(parsePushConfig({}), {
    vapidPublicKey: undefined,
    vapidPrivateKey: undefined,
    vapidSubject: undefined,
    allowLoopback: false,
  });
  assert.equal(parsePushConfig({ PUSH_ALLOW_LOOPBACK: "1" }).allowLoopback, true);
  const pub =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
  const priv = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
  assert.equal(
    parsePushConfig({ VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: priv }).vapidPublicKey,
    pub,
  );
  assert.throws(() => parsePushConfig({ VAPID_PUBLIC_KEY: pub }), ConfigError);
  assert.throws(
    () => parsePushConfig({ VAPID_PUBLIC_KEY: "abc", VAPID_PRIVATE_KEY: priv }),
    /VAPID_PUBLIC_KEY/,
  );
  assert.throws(
    () => parsePushConfig({ VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: "abc" }),
    /VAPID_PRIVATE_KEY/,
  );
  assert.throws(() => parsePushConfig({ VAPID_SUBJECT: "me" }), /VAPID_SUBJECT/);
  assert.equal(
    parsePushConfig({ VAPID_SUBJECT: "mailto:ops@example.com" }).vapidSubject,
    "mailto:ops@example.com",
  );
  assert.throws(() => parsePushConfig({ PUSH_ALLOW_LOOPBACK: "yes" }), /PUSH_ALLOW_LOOPBACK/);
});
