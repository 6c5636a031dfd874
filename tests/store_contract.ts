/**
 * The store contract: the same cases for every backend (run by kv_store_test.ts and
 * postgres_store_test.ts), so Deno KV and PostgreSQL behave the same to the services above.
 */
import assert from "node:assert/strict";
import type { UserRecord } from "../db/store.ts";
import { UsernameTakenError } from "../db/store.ts";
import type { Backend, TestStore } from "./helpers/backends.ts";

function newUser(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: crypto.randomUUID(),
    username,
    displayName: username.toUpperCase(),
    bio: "",
    passwordHash: "$2a$04$hash",
    avatarVersion: null,
    createdAt: new Date("2026-01-02T03:04:05.678Z"),
    ...overrides,
  };
}

/** Registers the contract's tests for one backend. */
export function storeContract(backend: Backend): void {
  function contract(name: string, fn: (t: TestStore) => Promise<void>) {
    Deno.test(`store contract (${backend.name}) - ${name}`, async () => {
      const opened = await backend.open();
      try {
        await fn(opened);
      } finally {
        await opened.dispose();
      }
    });
  }

  contract("createUser then find by id and by username", async ({ store }) => {
    const user = newUser("alice");
    await store.createUser(user);
    assert.deepEqual(await store.findUserById(user.id), user);
    assert.deepEqual(await store.findUserByUsername("alice"), user);
    assert.equal(await store.findUserById(crypto.randomUUID()), null);
    assert.equal(await store.findUserByUsername("nobody"), null);
  });

  contract("createUser refuses a taken username", async ({ store }) => {
    await store.createUser(newUser("bob"));
    await assert.rejects(store.createUser(newUser("bob")), UsernameTakenError);
  });

  contract("concurrent registrations of one username: exactly one wins", async ({ store }) => {
    const attempts = Array.from({ length: 20 }, () => store.createUser(newUser("racer")));
    const results = await Promise.allSettled(attempts);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    assert.equal(won.length, 1);
    for (const result of lost) {
      assert.ok((result as PromiseRejectedResult).reason instanceof UsernameTakenError);
    }
    assert.ok(await store.findUserByUsername("racer"));
  });

  contract("updateProfile changes only the given fields", async ({ store }) => {
    const user = newUser("carol", { bio: "old bio" });
    await store.createUser(user);
    const renamed = await store.updateProfile(user.id, { displayName: "Carol C." });
    assert.equal(renamed?.displayName, "Carol C.");
    assert.equal(renamed?.bio, "old bio");
    const rebio = await store.updateProfile(user.id, { displayName: undefined, bio: "" });
    assert.equal(rebio?.displayName, "Carol C.");
    assert.equal(rebio?.bio, "");
    assert.deepEqual(await store.findUserById(user.id), rebio);
    assert.equal(await store.updateProfile(crypto.randomUUID(), { bio: "x" }), null);
  });

  contract(
    "putAvatar stores large images whole and replaces the previous one",
    async ({ store }) => {
      const user = newUser("dave");
      await store.createUser(user);
      assert.equal(await store.findAvatar(user.id), null);
      // Over KV's 64 KiB value limit, and not a multiple of any chunk size.
      const bytes = new Uint8Array(1024 * 1024 - 7);
      // getRandomValues fills at most 64 KiB per call.
      for (let i = 0; i < bytes.length; i += 65_536) {
        crypto.getRandomValues(bytes.subarray(i, i + 65_536));
      }
      const updated = await store.putAvatar(user.id, {
        contentType: "image/png",
        bytes,
        version: "v1",
      });
      assert.equal(updated?.avatarVersion, "v1");
      const first = await store.findAvatar(user.id);
      assert.equal(first?.contentType, "image/png");
      assert.equal(first?.version, "v1");
      assert.deepEqual(first?.bytes, bytes);

      const small = new Uint8Array([1, 2, 3]);
      await store.putAvatar(user.id, { contentType: "image/gif", bytes: small, version: "v2" });
      const second = await store.findAvatar(user.id);
      assert.deepEqual(second, { contentType: "image/gif", bytes: small, version: "v2" });
      assert.equal((await store.findUserById(user.id))?.avatarVersion, "v2");
    },
  );

  contract("putAvatar for an unknown user stores nothing", async ({ store }) => {
    const id = crypto.randomUUID();
    const result = await store.putAvatar(id, {
      contentType: "image/png",
      bytes: new Uint8Array([1]),
      version: "v1",
    });
    assert.equal(result, null);
    assert.equal(await store.findAvatar(id), null);
  });

  contract("sessions: create, find, delete, expire", async ({ store }) => {
    const user = newUser("erin");
    await store.createUser(user);
    const now = Date.now();
    const live = {
      id: crypto.randomUUID(),
      userId: user.id,
      createdAt: new Date(now),
      expiresAt: new Date(now + 60_000),
    };
    await store.createSession(live);
    assert.deepEqual(await store.findSession(live.id), live);
    await store.deleteSession(live.id);
    assert.equal(await store.findSession(live.id), null);

    const expired = { ...live, id: crypto.randomUUID(), expiresAt: new Date(now - 1000) };
    await store.createSession(expired);
    assert.equal(await store.findSession(expired.id), null);
  });

  contract("getOrCreateSetting keeps the first value, even under races", async ({ store }) => {
    const values = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.getOrCreateSetting("secret", `value-${i}`)),
    );
    assert.equal(new Set(values).size, 1);
    assert.equal(await store.getOrCreateSetting("secret", "later"), values[0]);
  });

  contract("text round-trips exactly (Unicode, quotes, newlines)", async ({ store }) => {
    const user = newUser("frank", { displayName: "Ünïcødé 🎉 'quoted' \"double\"" });
    await store.createUser(user);
    const bio = "line one\nline two — ✓ <b>not html</b>";
    const updated = await store.updateProfile(user.id, { bio });
    assert.equal(updated?.bio, bio);
    assert.equal((await store.findUserById(user.id))?.displayName, user.displayName);
  });
}
