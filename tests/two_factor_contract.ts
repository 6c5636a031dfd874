/**
 * The store contract's two-factor cases (called from tests/store_contract.ts), run on every
 * backend: enrolment, activation, one use per TOTP step and per recovery code, also when two
 * instances race for the same one.
 */
import assert from "node:assert/strict";
import type { Store, UserRecord } from "../db/store.ts";
import { type Backend, storeTest, type TestStore } from "./helpers/backends.ts";

const SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const OTHER_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const STEP = 59_000_000;
const HASHES = ["a".repeat(64), "b".repeat(64), "c".repeat(64)];

async function newUser(store: Store): Promise<UserRecord> {
  const user: UserRecord = {
    id: crypto.randomUUID(),
    username: `u${crypto.randomUUID().slice(0, 8)}`,
    displayName: "U",
    bio: "",
    passwordHash: "$2a$04$hash",
    avatarVersion: null,
    createdAt: new Date("2026-01-02T03:04:05.678Z"),
  };
  await store.createUser(user);
  return user;
}

/** A user with two-factor authentication on (SECRET, HASHES, STEP used). */
async function enrolledUser(store: Store): Promise<UserRecord> {
  const user = await newUser(store);
  await store.setPendingTotp(user.id, SECRET);
  assert.equal(await store.activateTotp(user.id, SECRET, HASHES, STEP), true);
  return user;
}

/** Registers the two-factor cases of the store contract for one backend. */
export function twoFactorContract(backend: Backend): void {
  const contract = (name: string, fn: (t: TestStore) => Promise<void>) =>
    storeTest(backend, `store contract (${backend.name}) - two-factor: ${name}`, fn);

  contract("nothing is stored until an enrolment starts", async ({ store }) => {
    const user = await newUser(store);
    assert.equal(await store.findTwoFactor(user.id), null);
    assert.equal(await store.useTotpStep(user.id, SECRET, STEP), false);
    assert.equal(await store.useRecoveryCode(user.id, HASHES[0]), false);
  });

  contract("a pending secret is not active, and a new enrolment replaces it", async ({ store }) => {
    const user = await newUser(store);
    await store.setPendingTotp(user.id, OTHER_SECRET);
    await store.setPendingTotp(user.id, SECRET);
    assert.deepEqual(await store.findTwoFactor(user.id), {
      userId: user.id,
      pendingSecret: SECRET,
      secret: null,
      lastUsedStep: null,
      recoveryCodeHashes: [],
    });
    assert.equal(await store.useTotpStep(user.id, SECRET, STEP), false, "not active yet");
    assert.equal(
      await store.activateTotp(user.id, OTHER_SECRET, HASHES, STEP),
      false,
      "the replaced secret cannot be activated",
    );
  });

  contract("activateTotp makes the pending secret active, once", async ({ store }) => {
    const user = await enrolledUser(store);
    assert.deepEqual(await store.findTwoFactor(user.id), {
      userId: user.id,
      pendingSecret: null,
      secret: SECRET,
      lastUsedStep: STEP,
      recoveryCodeHashes: HASHES,
    });
    assert.equal(await store.activateTotp(user.id, SECRET, [], STEP + 1), false);
    // Restarting an enrolment while active leaves the active secret working.
    await store.setPendingTotp(user.id, OTHER_SECRET);
    const record = await store.findTwoFactor(user.id);
    assert.equal(record?.secret, SECRET);
    assert.equal(record?.pendingSecret, OTHER_SECRET);
  });

  contract("useTotpStep accepts only later steps of the active secret", async ({ store }) => {
    const user = await enrolledUser(store);
    assert.equal(await store.useTotpStep(user.id, SECRET, STEP), false, "the confirming step");
    assert.equal(await store.useTotpStep(user.id, SECRET, STEP - 1), false, "an earlier step");
    assert.equal(await store.useTotpStep(user.id, OTHER_SECRET, STEP + 1), false, "other secret");
    assert.equal(await store.useTotpStep(user.id, SECRET, STEP + 1), true);
    assert.equal(await store.useTotpStep(user.id, SECRET, STEP + 1), false, "the same again");
    assert.equal((await store.findTwoFactor(user.id))?.lastUsedStep, STEP + 1);
  });

  contract("useRecoveryCode removes each code once", async ({ store }) => {
    const user = await enrolledUser(store);
    assert.equal(await store.useRecoveryCode(user.id, HASHES[1]), true);
    assert.equal(await store.useRecoveryCode(user.id, HASHES[1]), false);
    assert.equal(await store.useRecoveryCode(user.id, "d".repeat(64)), false);
    assert.deepEqual((await store.findTwoFactor(user.id))?.recoveryCodeHashes, [
      HASHES[0],
      HASHES[2],
    ]);
  });

  contract("two instances racing for one step or one code: exactly one wins", async (t) => {
    const user = await enrolledUser(t.store);
    const other = await t.openAnother();
    const steps = await Promise.all([
      t.store.useTotpStep(user.id, SECRET, STEP + 1),
      other.useTotpStep(user.id, SECRET, STEP + 1),
      t.store.useTotpStep(user.id, SECRET, STEP + 1),
      other.useTotpStep(user.id, SECRET, STEP + 1),
    ]);
    assert.equal(steps.filter(Boolean).length, 1);
    const codes = await Promise.all([
      t.store.useRecoveryCode(user.id, HASHES[0]),
      other.useRecoveryCode(user.id, HASHES[0]),
      t.store.useRecoveryCode(user.id, HASHES[0]),
      other.useRecoveryCode(user.id, HASHES[0]),
    ]);
    assert.equal(codes.filter(Boolean).length, 1);
  });

  contract("deleteTwoFactor turns it off and forgets everything", async ({ store }) => {
    const user = await enrolledUser(store);
    await store.deleteTwoFactor(user.id);
    assert.equal(await store.findTwoFactor(user.id), null);
    assert.equal(await store.useRecoveryCode(user.id, HASHES[0]), false);
    await store.deleteTwoFactor(user.id);
  });

  contract("deleting the user deletes their two-factor state", async ({ store }) => {
    const user = await enrolledUser(store);
    assert.equal(await store.deleteUser(user.id), true);
    assert.equal(await store.findTwoFactor(user.id), null);
  });

  contract("the state survives a restart", async (t) => {
    const user = await enrolledUser(t.store);
    const reopened = await t.reopen();
    assert.equal((await reopened.findTwoFactor(user.id))?.secret, SECRET);
  });
}
