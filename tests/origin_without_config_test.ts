/**
 * With ORIGIN unset the request's Host is not trusted (issue "Accounts people can trust",
 * finding 11): a DNS name rebound to the server would otherwise pass the Origin check and end up
 * in invite links. Raw HTTP over TCP: `fetch` sets `Host` itself.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { room } from "./helpers/people.ts";

const PASSWORD = "correct horse";

/** One HTTP/1.1 request over a raw TCP socket; the answer's status and whole text. */
async function rawRequest(
  base: string,
  head: string[],
  body = "",
): Promise<{ status: number; text: string }> {
  const url = new URL(base);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  const bytes = new TextEncoder().encode(body);
  const request = [...head, `Content-Length: ${bytes.length}`, "Connection: close", "", ""];
  await conn.write(new TextEncoder().encode(request.join("\r\n")));
  await conn.write(bytes);
  // Reading the readable to its end also closes the connection.
  const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
  return { status: Number(text.split(" ")[1]), text };
}

async function register(base: string, host: string, origin: string, username: string) {
  const answer = await rawRequest(base, [
    "POST /api/auth/register HTTP/1.1",
    `Host: ${host}`,
    `Origin: ${origin}`,
    "Content-Type: application/json",
  ], JSON.stringify({ username, password: PASSWORD }));
  return answer.status;
}

appTest(
  "origin - a rebound Host with its matching Origin is refused, loopback passes",
  async (app) => {
    const { host, port } = new URL(app.url);
    const rebound = `rebound.example:${port}`;
    assert.equal(await register(app.url, rebound, `http://${rebound}`, "rebound"), 403);
    assert.equal(await register(app.url, host, `http://localhost:${port}`, "local.one"), 201);
    assert.equal(await register(app.url, host, `http://127.0.0.1:${port}`, "local.two"), 201);
    assert.equal(
      await register(app.url, host, `http://localhost:${Number(port) + 1}`, "other.port"),
      403,
      "another service on this machine is another origin",
    );
  },
);

/** The status line of a raw WebSocket handshake sent with `host` as Host and Origin. */
async function handshakeStatus(base: string, host: string): Promise<string> {
  const url = new URL(base);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  try {
    const request = [
      "GET /ws HTTP/1.1",
      `Host: ${host}`,
      `Origin: http://${host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      "",
      "",
    ];
    await conn.write(new TextEncoder().encode(request.join("\r\n")));
    const buffer = new Uint8Array(512);
    const read = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, read ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

appTest("origin - a socket upgrade from a rebound Host is refused", async (app) => {
  const { host, port } = new URL(app.url);
  assert.match(await handshakeStatus(app.url, `rebound.example:${port}`), /^HTTP\/1.1 403/);
  assert.match(await handshakeStatus(app.url, host), /^HTTP\/1.1 101/, "its own origin passes");
});

appTest("origin - with ORIGIN set, only that origin passes", async (app) => {
  const { host, port } = new URL(app.url);
  assert.equal(await register(app.url, host, "https://chat.example.test", "set.one"), 201);
  assert.equal(await register(app.url, host, `http://127.0.0.1:${port}`, "set.two"), 403);
}, { ORIGIN: "https://chat.example.test" });

appTest("origin - the no-JS invite link never carries a Host someone chose", async (app) => {
  const { serverId, channelId, owner } = await room(app);
  const { port } = new URL(app.url);
  const { status, text } = await rawRequest(app.url, [
    `GET /chat/${serverId}/${channelId}?invite=abc HTTP/1.1`,
    `Host: rebound.example:${port}`,
    `Cookie: ${owner.http.cookie}`,
  ]);
  assert.equal(status, 200);
  assert.doesNotMatch(text, /rebound\.example/);
  assert.match(text, new RegExp(`http://localhost:${port}/invite/abc`));
});
