/**
 * Sockets nobody has vouched for are few (issue "Accounts people can trust", finding 9): an
 * address may hold WS_ANONYMOUS_PER_IP sockets waiting for an `auth` frame, and a socket that
 * authenticates gives its place back. Real sockets on the real app, both stores.
 */
import assert from "node:assert/strict";
import { WS_ANONYMOUS_PER_IP } from "../lib/limits.ts";
import { SocketAdmission } from "../lib/realtime/socket_admission.ts";
import { appTest } from "./helpers/app_test.ts";
import { register } from "./helpers/people.ts";
import { WsClient } from "./helpers/ws_client.ts";

/** Whether a socket without a cookie may open (the handshake's status: 101 or a refusal). */
async function tryAnonymous(base: string): Promise<WsClient | null> {
  try {
    return await WsClient.connect(base);
  } catch {
    return null;
  }
}

appTest(
  "sockets - an address gets a few unauthenticated sockets; auth gives a place back",
  async (app) => {
    const person = await register(app, "many.tabs");
    const waiting: WsClient[] = [];
    for (let i = 0; i < WS_ANONYMOUS_PER_IP; i++) {
      const socket = await tryAnonymous(app.url);
      assert.ok(socket, `socket ${i + 1} of ${WS_ANONYMOUS_PER_IP} opens`);
      waiting.push(socket);
    }
    assert.equal(await tryAnonymous(app.url), null, "one more is refused before the upgrade");
    const refused = await fetch(`${app.url}/ws`, {
      headers: { Upgrade: "websocket", Connection: "Upgrade" },
    });
    await refused.body?.cancel();

    // Authenticating one frees its place; sockets with a session cookie never needed one.
    waiting[0].send({ type: "auth", token: person.token });
    await waiting[0].next("ready");
    const another = await tryAnonymous(app.url);
    assert.ok(another, "the place came back");
    const withCookie = await person.connect();
    await Promise.all([...waiting, another, withCookie].map((socket) => socket.close()));
  },
);

Deno.test("SocketAdmission - counts per address, and gives places back once", () => {
  const admission = new SocketAdmission();
  const tickets = Array.from(
    { length: WS_ANONYMOUS_PER_IP },
    () => admission.admit("10.0.0.1", false),
  );
  assert.ok(tickets.every((ticket) => !("refused" in ticket)));
  assert.ok("refused" in admission.admit("10.0.0.1", false));
  assert.ok(!("refused" in admission.admit("10.0.0.2", false)), "another address is apart");
  assert.ok(!("refused" in admission.admit("10.0.0.1", true)), "a signed-in socket is fine");
  const first = tickets[0] as { closed(): void };
  first.closed();
  first.closed();
  assert.ok(!("refused" in admission.admit("10.0.0.1", false)));
  assert.ok("refused" in admission.admit("10.0.0.1", false), "closing twice freed one place");
});
