/**
 * Administrators as an operator makes them: the account exists before ADMIN_USERNAMES lists its
 * name (registration refuses a listed name), so it is written to the store directly.
 */
import type { Person } from "./people.ts";
import { logIn } from "./second_session.ts";
import { seedAccount } from "./seed_account.ts";
import type { TestApp } from "./test_app.ts";
import { WsClient } from "./ws_client.ts";

/** Creates `username` (password "correct horse") in the store and signs it in. */
export async function seedAdmin(app: TestApp, username: string): Promise<Person> {
  const id = await seedAccount(app, username);
  const { http, token } = await logIn(app, username);
  return {
    http,
    id,
    username,
    token,
    async connect(options = {}) {
      const ws = await WsClient.connect(app.url, { cookie: http.cookie });
      if (!options.lateResume) ws.send({ type: "resume", channels: {} });
      await ws.next("ready");
      return ws;
    },
  };
}
