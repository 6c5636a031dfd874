/** The asset build's lock across processes, over real directories and real processes. */
import assert from "node:assert/strict";
import { withDirLock } from "../lib/assets/build_lock.ts";

/** A fresh lock directory path (not created) in its own temporary directory. */
async function lockPath(): Promise<URL> {
  const dir = await Deno.makeTempDir({ prefix: "salon_build_lock_" });
  return new URL(`file://${dir}/.build-lock/`);
}

/** Leaves a lock as a build of process `pid` would, just now (far from the age rule). */
async function leaveLock(lockDir: URL, pid: number): Promise<void> {
  await Deno.mkdir(lockDir);
  await Deno.writeTextFile(new URL("pid", lockDir), String(pid));
}

/**
 * A PID no process can have: above PID_MAX_LIMIT, the kernel's ceiling for pid_max (2^22 on
 * 64-bit Linux). The PID of a process that has just exited is no good: with pid_max 32768 and a
 * parallel suite starting browsers, PIDs wrap and one was reused within seconds, so the "dead"
 * holder looked alive and the test waited out the five-minute age rule.
 */
function deadPid(): number {
  return 2 ** 22 + 1;
}

Deno.test({
  name: "build lock - a fresh lock of a dead process is taken over without waiting",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const lockDir = await lockPath();
    await leaveLock(lockDir, deadPid());
    const waits: (number | null)[] = [];
    const holder = await withDirLock(
      lockDir,
      () => Deno.readTextFile(new URL("pid", lockDir)),
      (pid) => waits.push(pid),
    );
    assert.deepEqual(waits, [], "nobody is building, so nothing to wait for");
    assert.equal(holder, String(Deno.pid), "the lock names its new holder");
    assert.equal(await Deno.stat(lockDir).catch(() => null), null, "released after the work");
  },
});

Deno.test("build lock - waits, saying so once, while a live process holds it", async () => {
  const lockDir = await lockPath();
  const builder = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    await leaveLock(lockDir, builder.pid);
    const waits: (number | null)[] = [];
    let finished: Promise<void> = Promise.resolve();
    const holder = await withDirLock(
      lockDir,
      () => Deno.readTextFile(new URL("pid", lockDir)),
      (pid) => {
        waits.push(pid);
        // The other build finishes: only then may this one take the lock.
        finished = Deno.remove(lockDir, { recursive: true });
      },
    );
    await finished;
    assert.deepEqual(waits, [builder.pid]);
    assert.equal(holder, String(Deno.pid));
  } finally {
    builder.kill();
    await builder.status;
  }
});
