/**
 * A lock across processes held as a directory (`mkdir` is atomic), with the holder's PID in a
 * file inside it, so a lock left by a build that was killed is taken over at once.
 */

/** A lock older than this is taken over even if its holder cannot be known to be dead. */
const STALE_LOCK_MS = 5 * 60_000;
const LOCK_POLL_MS = 100;
const PID_FILE = "pid";

/** How a waiter is told, once, that another live process holds the lock. */
export type OnWait = (holderPid: number | null) => void;

function announceWait(holderPid: number | null): void {
  const holder = holderPid === null ? "another process" : `process ${holderPid}`;
  console.log(`Waiting for the asset build of ${holder} to finish...`);
}

/** Runs `work` while holding `lockDir`, waiting while another live process holds it. */
export async function withDirLock<T>(
  lockDir: URL,
  work: () => Promise<T>,
  onWait: OnWait = announceWait,
): Promise<T> {
  await acquire(lockDir, onWait);
  try {
    return await work();
  } finally {
    await Deno.remove(lockDir, { recursive: true }).catch(() => {});
  }
}

async function acquire(lockDir: URL, onWait: OnWait): Promise<void> {
  let announced = false;
  while (!(await tryCreate(lockDir))) {
    const holderPid = await readHolderPid(lockDir);
    if (await isAbandoned(lockDir, holderPid)) {
      await Deno.remove(lockDir, { recursive: true }).catch(() => {});
      continue;
    }
    if (!announced) {
      announced = true;
      onWait(holderPid);
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/** Creates the lock with this process's PID in it; false if someone else holds it. */
async function tryCreate(lockDir: URL): Promise<boolean> {
  try {
    await Deno.mkdir(lockDir);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
  await Deno.writeTextFile(new URL(PID_FILE, lockDir), String(Deno.pid));
  return true;
}

/** The PID in the lock, or null while its holder has not written it yet (or never will). */
async function readHolderPid(lockDir: URL): Promise<number | null> {
  const text = await Deno.readTextFile(new URL(PID_FILE, lockDir)).catch(() => "");
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/** True if the lock's holder is known to be gone, or the lock is older than STALE_LOCK_MS. */
async function isAbandoned(lockDir: URL, holderPid: number | null): Promise<boolean> {
  if (holderPid !== null && (await isProcessAlive(holderPid)) === false) return true;
  const info = await Deno.stat(lockDir).catch(() => null);
  // A lock removed meanwhile is free: the next mkdir takes it.
  if (info === null) return false;
  return Date.now() - (info.mtime?.getTime() ?? 0) > STALE_LOCK_MS;
}

/**
 * Whether `pid` runs: from /proc on Linux, or — where Deno's permissions forbid /proc (only
 * `--allow-all` opens it; `deno test -P` does not) — by sending it SIGCONT, which a running
 * process ignores and a missing one answers with ESRCH. Null (unknown) elsewhere.
 */
export async function isProcessAlive(pid: number): Promise<boolean | null> {
  if (Deno.build.os !== "linux") return null;
  try {
    await Deno.stat(`/proc/${pid}`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    if (!(error instanceof Deno.errors.NotCapable)) return null;
  }
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? false : null;
  }
}
