/**
 * bcrypt on a worker thread. bcryptjs is plain JavaScript: at the default cost a hash holds its
 * thread for ≈ 80 ms, and on the event loop that is 80 ms in which no socket is served (pings
 * answered in 128 ms instead of 0.6 while 4 clients logged in: BENCHMARKS.md). One worker
 * thread takes every hash and comparison in turn, so a storm of logins queues there and
 * leaves the other core to live traffic.
 */
import { PASSWORD_QUEUE_MAX } from "./limits.ts";
import {
  hasherOnThisThread,
  hashPassword,
  PasswordQueueFull,
  verifyPassword,
} from "./passwords.ts";
import type { PasswordHasher } from "./passwords.ts";

export type PasswordJob =
  | { op: "hash"; password: string; cost: number }
  | { op: "verify"; password: string; hash: string };

export type PasswordRequest = PasswordJob & { id: number };

export type PasswordResponse = { id: number; result: string | boolean } | {
  id: number;
  error: string;
};

/** Runs one job on the calling thread (the worker's, or the event loop's after a failure). */
export function runPasswordJob(job: PasswordJob): Promise<string | boolean> {
  return job.op === "hash"
    ? hashPassword(job.password, job.cost)
    : verifyPassword(job.password, job.hash);
}

interface Pending {
  job: PasswordJob;
  resolve(result: string | boolean): void;
  reject(error: unknown): void;
}

export class PasswordWorkerPool implements PasswordHasher {
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 0;
  /** Set if the worker thread failed (a runtime that cannot run it): hash on this thread. */
  #failed = false;

  /** `workerUrl`: the worker's module (tests give one that fails). */
  constructor(
    private readonly cost: number,
    workerUrl: URL | string = new URL("./password_worker.ts", import.meta.url),
  ) {
    this.#worker = new Worker(workerUrl, { type: "module" });
    this.#worker.onmessage = ({ data }: MessageEvent<PasswordResponse>) => {
      const pending = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if ("error" in data) pending?.reject(new Error(`Password hashing failed: ${data.error}`));
      else pending?.resolve(data.result);
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      console.error(`Password worker failed (${event.message}); hashing on the event loop`);
      this.#failed = true;
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      for (const { job, resolve, reject } of pending) runPasswordJob(job).then(resolve, reject);
    };
  }

  hash(password: string): Promise<string> {
    return this.#call({ op: "hash", password, cost: this.cost }) as Promise<string>;
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.#call({ op: "verify", password, hash }) as Promise<boolean>;
  }

  close(): void {
    this.#worker.terminate();
    this.#failAll(new Error("Password hashing stopped: the app is closing"));
  }

  #call(job: PasswordJob): Promise<string | boolean> {
    if (this.#failed) return runPasswordJob(job);
    // Each job holds the thread ≈ 80 ms: a longer queue is a wait nobody should be made to sit.
    if (this.#pending.size >= PASSWORD_QUEUE_MAX) {
      return Promise.reject(new PasswordQueueFull(this.#pending.size));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { job, resolve, reject });
      this.#worker.postMessage({ ...job, id });
    });
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/** A worker thread if this runtime can start one, else hashing on the calling thread. */
export function createPasswordHasher(cost: number): PasswordHasher {
  try {
    return new PasswordWorkerPool(cost);
  } catch (error) {
    console.error("No worker thread for password hashing; hashing on the event loop:", error);
    return hasherOnThisThread(cost);
  }
}
