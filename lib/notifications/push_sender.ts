/**
 * Sends Web Push messages in the background: a bounded queue drained by at most
 * PUSH_SEND_CONCURRENCY requests at once, each with its own timeout, so a slow or dead push
 * service never holds up message delivery (the notifier only enqueues). Each push: the endpoint
 * is checked again (endpoint_guard.ts: DNS may have changed since the subscription), its payload
 * encrypted (push_encryption.ts), signed for (vapid_keys.ts) and POSTed without following
 * redirects. A 404 or 410 means the subscription is gone: it is deleted. Other failures are
 * counted and logged, never retried (a notification late by minutes is worse than none).
 */
import type { NotificationStore, PushSubscriptionRecord } from "../../db/store.ts";
import {
  PUSH_DNS_CACHE_MS,
  PUSH_QUEUE_MAX,
  PUSH_SEND_CONCURRENCY,
  PUSH_SEND_TIMEOUT_MS,
  PUSH_TTL_S,
} from "../limits.ts";
import { checkEndpoint, EndpointRefused } from "./endpoint_guard.ts";
import type { Resolve } from "./endpoint_guard.ts";
import { encryptPush } from "./push_encryption.ts";
import type { VapidSigner } from "./vapid_keys.ts";

/** One push to send: a subscription and the plaintext payload (JSON bytes). */
export interface PushJob {
  subscription: PushSubscriptionRecord;
  payload: Uint8Array;
  /** `high` for DMs and mentions (RFC 8030 §5.3). */
  urgency?: "normal" | "high";
}

export interface PushSenderOptions {
  store: Pick<NotificationStore, "deletePushSubscription">;
  signer: VapidSigner;
  allowLoopback: boolean;
  resolve?: Resolve;
  concurrency?: number;
  timeoutMs?: number;
  queueMax?: number;
  now?: () => number;
}

/** What the sender did so far (for tests, the benchmark and logs). */
export interface PushStats {
  sent: number;
  /** Subscriptions deleted on a 404 or 410. */
  gone: number;
  /** Endpoints refused by the guard at send time. */
  refused: number;
  failed: number;
  /** Jobs dropped because the queue was full. */
  dropped: number;
}

export class PushSender {
  #options: PushSenderOptions;
  #queue: PushJob[] = [];
  #head = 0;
  #running = 0;
  #idle: (() => void)[] = [];
  #closed = false;
  /** Origin → whether its host's addresses were public, and until when that answer holds. */
  #hosts = new Map<string, { ok: boolean; until: number }>();
  readonly stats: PushStats = { sent: 0, gone: 0, refused: 0, failed: 0, dropped: 0 };

  constructor(options: PushSenderOptions) {
    this.#options = options;
  }

  /** Queues pushes (past PUSH_QUEUE_MAX waiting, the rest are dropped); returns how many. */
  enqueue(jobs: PushJob[]): number {
    if (this.#closed) return 0;
    const room = (this.#options.queueMax ?? PUSH_QUEUE_MAX) - (this.#queue.length - this.#head);
    const accepted = jobs.slice(0, Math.max(0, room));
    this.stats.dropped += jobs.length - accepted.length;
    if (jobs.length > accepted.length) {
      console.error(`Push queue full: ${jobs.length - accepted.length} notifications dropped`);
    }
    for (const job of accepted) this.#queue.push(job);
    const limit = this.#options.concurrency ?? PUSH_SEND_CONCURRENCY;
    while (this.#running < limit && this.#head < this.#queue.length) {
      this.#running++;
      void this.#work();
    }
    return accepted.length;
  }

  /** Resolves once nothing is queued or in flight. */
  settled(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops taking jobs; waits for those in flight (each bounded by its timeout). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queue.length = this.#head = 0;
    await this.settled();
  }

  async #work(): Promise<void> {
    try {
      while (this.#head < this.#queue.length) {
        const job = this.#queue[this.#head++];
        if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
        await this.#send(job).catch((error) => {
          this.stats.failed++;
          console.error("Push failed:", error);
        });
      }
    } finally {
      if (--this.#running === 0) {
        for (const resolve of this.#idle.splice(0)) resolve();
      }
    }
  }

  async #send(job: PushJob): Promise<void> {
    const { subscription } = job;
    if (!(await this.#allowed(subscription.endpoint))) {
      this.stats.refused++;
      return;
    }
    const [body, authorization] = await Promise.all([
      encryptPush(subscription, job.payload),
      this.#options.signer.authorization(subscription.endpoint),
    ]);
    const response = await fetch(subscription.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Encoding": "aes128gcm",
        TTL: String(PUSH_TTL_S),
        Urgency: job.urgency ?? "normal",
        Authorization: authorization,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? PUSH_SEND_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) {
      await this.#options.store.deletePushSubscription(subscription.endpoint, subscription.userId);
      this.stats.gone++;
    } else if (response.ok) {
      this.stats.sent++;
    } else {
      this.stats.failed++;
      console.error(
        `Push service answered ${response.status} for ${new URL(subscription.endpoint).origin}`,
      );
    }
  }

  /** The guard again at send time, its DNS answers kept for a minute per host. */
  async #allowed(endpoint: string): Promise<boolean> {
    const { allowLoopback, resolve } = this.#options;
    let host: string;
    try {
      const url = new URL(endpoint);
      if (url.username !== "" || url.password !== "") return false;
      host = url.origin;
    } catch {
      return false;
    }
    const now = (this.#options.now ?? Date.now)();
    const known = this.#hosts.get(host);
    if (known && known.until > now) return known.ok;
    let ok = true;
    try {
      await checkEndpoint(endpoint, { allowLoopback, resolve });
    } catch (error) {
      if (!(error instanceof EndpointRefused)) throw error;
      ok = false;
    }
    if (this.#hosts.size > 1000) this.#hosts.clear();
    this.#hosts.set(host, { ok, until: now + PUSH_DNS_CACHE_MS });
    return ok;
  }
}
