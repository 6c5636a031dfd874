/** db/retry.ts: the one retry loop of the stores and the KV bus. */
import assert from "node:assert/strict";
import { retry, TRY_AGAIN } from "../db/retry.ts";

const exhausted = () => new Error("exhausted");

Deno.test("retry - returns the first value, trying again after TRY_AGAIN", async () => {
  const tries: number[] = [];
  const value = await retry(async (index) => {
    tries.push(index);
    return await Promise.resolve(index < 2 ? TRY_AGAIN : "done");
  }, { attempts: 5, maxBackOffMs: 1, exhausted });
  assert.equal(value, "done");
  assert.deepEqual(tries, [0, 1, 2]);
});

Deno.test("retry - after the last TRY_AGAIN, throws what `exhausted` makes", async () => {
  let tries = 0;
  await assert.rejects(
    retry(() => {
      tries++;
      return Promise.resolve(TRY_AGAIN);
    }, { attempts: 3, maxBackOffMs: 0, exhausted }),
    /exhausted/,
  );
  assert.equal(tries, 3);
});

Deno.test("retry - a retryable error is tried again, the last one goes up as it is", async () => {
  const locked = new Error("database is locked");
  let tries = 0;
  await assert.rejects(
    retry(() => {
      tries++;
      return Promise.reject(locked);
    }, { attempts: 4, isRetryable: (e) => e === locked, maxBackOffMs: 1, exhausted }),
    (error) => error === locked,
  );
  assert.equal(tries, 4);
  let recovered = 0;
  const value = await retry(() => {
    return ++recovered < 3 ? Promise.reject(locked) : Promise.resolve(recovered);
  }, { attempts: 4, isRetryable: (e) => e === locked, maxBackOffMs: 1, exhausted });
  assert.equal(value, 3);
});

Deno.test("retry - an error that is not retryable goes up at once", async () => {
  const bug = new TypeError("a bug");
  let tries = 0;
  await assert.rejects(
    retry(() => {
      tries++;
      return Promise.reject(bug);
    }, { attempts: 10, isRetryable: (e) => e !== bug, maxBackOffMs: 1, exhausted }),
    (error) => error === bug,
  );
  assert.equal(tries, 1);
});
