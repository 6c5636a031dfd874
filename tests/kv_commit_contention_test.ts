/**
 * Optimistic KV commits under contention (db/kv/commits.ts): many writers of one key at once
 * all get through, on a real KV file; and a writer that can never win ends as
 * StoreUnavailable (a 503 for the request), not as a bare error (a 500).
 */
import assert from "node:assert/strict";
import { optimistically } from "../db/kv/commits.ts";
import { TRY_AGAIN } from "../db/retry.ts";
import { isStoreUnavailable } from "../db/unavailable.ts";

async function withKv(run: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  const kv = await Deno.openKv(`${dir}/contention.kv`);
  try {
    await run(kv);
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("kv commits - 40 writers of one counter at once all commit, none lost", async () => {
  await withKv(async (kv) => {
    const key = ["counter"];
    const writers = Array.from({ length: 40 }, () =>
      optimistically("count", async () => {
        const entry = await kv.get<number>(key);
        const op = kv.atomic().check(entry).set(key, (entry.value ?? 0) + 1);
        return (await op.commit()).ok ? true : TRY_AGAIN;
      }));
    const outcomes = await Promise.allSettled(writers);
    assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
    assert.equal((await kv.get<number>(key)).value, 40);
  });
});

Deno.test("kv commits - a writer that always loses ends as StoreUnavailable", async () => {
  let tries = 0;
  const error = await optimistically("lose", () => {
    tries++;
    return Promise.resolve(TRY_AGAIN);
  }).catch((e) => e);
  assert.ok(isStoreUnavailable(error), String(error));
  assert.match(String((error as Error).cause), /Could not lose: \d+ conflicting writes/);
  assert.ok(tries > 1);
});
