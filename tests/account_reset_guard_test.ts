/**
 * Completing a password reset hashes within the sign-in guard's slots for the caller's address:
 * many racing uses of one link cannot queue unbounded bcrypt work; on both stores.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { seedAdmin } from "./helpers/admins.ts";
import { register } from "./helpers/people.ts";

const RACERS = 40;

appTest(
  "password reset - racing completes of one link: one wins, the rest 404 or 429",
  async (app) => {
    const root = await seedAdmin(app, "root");
    const nia = await register(app, "nia");
    const made = await root.http.json<{ url: string }>(
      "POST",
      `/api/admin/users/${nia.id}/password-reset`,
    );
    assert.equal(made.status, 201);
    const token = made.body.url.split("/").at(-1)!;
    const statuses = await Promise.all(
      Array.from({ length: RACERS }, async (_, i) => {
        try {
          await app.accounts.resets.complete(token, `a brand new secret ${i}`, "10.9.9.9");
          return 200;
        } catch (error) {
          return (error as { status?: number }).status ?? 500;
        }
      }),
    );
    assert.equal(statuses.filter((s) => s === 200).length, 1, String(statuses));
    assert.ok(statuses.every((s) => s === 200 || s === 404 || s === 429), String(statuses));
    assert.ok(statuses.includes(429), `no use was refused for too many at once: ${statuses}`);
  },
  { ADMIN_USERNAMES: "root" },
);
