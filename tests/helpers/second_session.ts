/** Another login of an existing person: a second session (another browser or device). */
import assert from "node:assert/strict";
import { HttpClient } from "./http_client.ts";
import type { TestApp } from "./test_app.ts";
import { WsClient } from "./ws_client.ts";

export interface Session {
  http: HttpClient;
  token: string;
  /** Opens a WebSocket with this session's cookie and waits for `ready`. */
  connect(): Promise<WsClient>;
}

/** Logs `username` in again with its own cookie jar and, if given, a `User-Agent`. */
export async function logIn(
  app: TestApp,
  username: string,
  options: { password?: string; userAgent?: string } = {},
): Promise<Session> {
  const http = new HttpClient(app.url);
  const { status, body } = await http.json<{ token: string }>("POST", "/api/auth/login", {
    json: { username, password: options.password ?? "correct horse" },
    headers: options.userAgent ? { "User-Agent": options.userAgent } : {},
  });
  assert.equal(status, 200, JSON.stringify(body));
  return {
    http,
    token: body.token,
    async connect() {
      const ws = await WsClient.connect(app.url, { cookie: http.cookie });
      ws.send({ type: "resume", channels: {} });
      await ws.next("ready");
      return ws;
    },
  };
}

/** The status of `GET /api/me` with this client: 200 while its session lives, then 401. */
export async function meStatus(http: HttpClient): Promise<number> {
  const response = await http.request("GET", "/api/me");
  await response.body?.cancel();
  return response.status;
}
