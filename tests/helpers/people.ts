/** Registered users with an HTTP client each, and a shared server, for chat tests. */
import assert from "node:assert/strict";
import { HttpClient } from "./http_client.ts";
import type { TestApp } from "./test_app.ts";
import { WsClient } from "./ws_client.ts";

export interface Person {
  http: HttpClient;
  id: string;
  username: string;
  token: string;
  /**
   * Opens a WebSocket with this person's session cookie and waits for `ready`. Like Salon's own
   * clients it sends `resume` as soon as the socket opens (nothing to replay for a new one);
   * `lateResume` skips that, for tests of clients that resume only after `ready`.
   */
  connect(options?: { lateResume?: boolean }): Promise<WsClient>;
}

export async function register(app: TestApp, username: string): Promise<Person> {
  const http = new HttpClient(app.url);
  const { status, body } = await http.json<{ user: { id: string }; token: string }>(
    "POST",
    "/api/auth/register",
    { json: { username, password: "correct horse" } },
  );
  assert.equal(status, 201);
  return {
    http,
    id: body.user.id,
    username,
    token: body.token,
    async connect(options = {}) {
      const ws = await WsClient.connect(app.url, { cookie: http.cookie });
      if (!options.lateResume) ws.send({ type: "resume", channels: {} });
      await ws.next("ready");
      return ws;
    },
  };
}

export interface Room {
  serverId: string;
  channelId: string;
  owner: Person;
  member: Person;
  outsider: Person;
}

/** An owner's server with a member who joined by invite, and an outsider who did not. */
export async function room(app: TestApp): Promise<Room> {
  const [owner, member, outsider] = await Promise.all([
    register(app, "owner"),
    register(app, "member"),
    register(app, "outsider"),
  ]);
  const created = await owner.http.json<{ server: { id: string }; channels: { id: string }[] }>(
    "POST",
    "/api/servers",
    { json: { name: "Room" } },
  );
  assert.equal(created.status, 201);
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${created.body.server.id}/invites`,
  );
  const joined = await member.http.json("POST", `/api/invites/${invite.body.code}/join`);
  assert.equal(joined.status, 200);
  return {
    serverId: created.body.server.id,
    channelId: created.body.channels[0].id,
    owner,
    member,
    outsider,
  };
}
