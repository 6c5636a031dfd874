/**
 * A push service of our own on loopback, for tests and the benchmark: `Deno.serve` on
 * 127.0.0.1 that, for each subscription it made (a fresh P-256 key pair and auth secret, as a
 * browser makes), decrypts each push (`aes128gcm`, RFC 8291) with the subscription's private key
 * and verifies its VAPID JWT (RFC 8292, ES256) against the app's public key (`GET
 * /api/push/key`), then answers with the subscription's status (201, or 410 to say it is gone).
 * `verify: false` (the benchmark) only counts the pushes.
 */
import { importJWK, jwtVerify } from "jose";
import { fromBase64url, toBase64url } from "../lib/notifications/base64url.ts";
import { decryptPush } from "../lib/notifications/push_encryption.ts";

/** A push as the receiver read it. */
export interface ReceivedPush {
  /** The subscription's id (the endpoint's last path segment). */
  subscriptionId: string;
  payload: Record<string, unknown> | null;
  urgency: string | null;
  ttl: string | null;
  at: number;
}

/** What `PushSubscription.toJSON()` gives a browser, plus our id. */
export interface TestSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

interface Held {
  keys: CryptoKeyPair;
  auth: Uint8Array<ArrayBuffer>;
  status: number;
}

export class PushReceiver {
  readonly received: ReceivedPush[] = [];
  /** Pushes that failed a check (decryption, JWT), with why. */
  readonly errors: string[] = [];
  #subscriptions = new Map<string, Held>();
  #server: Deno.HttpServer<Deno.NetAddr>;
  #vapidKey?: CryptoKey;
  #vapidPublic: string;
  #verify: boolean;
  #listeners: (() => void)[] = [];

  private constructor(vapidPublic: string, verify: boolean) {
    this.#vapidPublic = vapidPublic;
    this.#verify = verify;
    this.#server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen: () => {} },
      (request) => this.#handle(request),
    );
  }

  /** Starts a receiver that checks pushes against the app's VAPID public key (base64url). */
  static start(vapidPublicKey: string, options: { verify?: boolean } = {}): PushReceiver {
    return new PushReceiver(vapidPublicKey, options.verify ?? true);
  }

  get origin(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** A new subscription, as a browser would make one; pushes to it are answered `status`. */
  async subscribe(status = 201): Promise<TestSubscription> {
    const keys = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
      "deriveBits",
    ]) as CryptoKeyPair;
    const auth = crypto.getRandomValues(new Uint8Array(16));
    const id = crypto.randomUUID();
    this.#subscriptions.set(id, { keys, auth, status });
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
    return {
      id,
      endpoint: `${this.origin}/push/${id}`,
      keys: { p256dh: toBase64url(raw), auth: toBase64url(auth) },
    };
  }

  /** The pushes to one subscription. */
  to(subscriptionId: string): ReceivedPush[] {
    return this.received.filter((push) => push.subscriptionId === subscriptionId);
  }

  /** Resolves once `count` pushes in all have arrived. */
  arrived(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.received.length < count) return false;
        resolve();
        return true;
      };
      this.#listeners.push(() => void check());
    });
  }

  async close(): Promise<void> {
    await this.#server.shutdown();
  }

  async #handle(request: Request): Promise<Response> {
    const id = new URL(request.url).pathname.split("/").pop() ?? "";
    const held = this.#subscriptions.get(id);
    const body = new Uint8Array(await request.arrayBuffer());
    if (!held || request.method !== "POST") return new Response(null, { status: 404 });
    let payload: Record<string, unknown> | null = null;
    if (this.#verify) {
      try {
        await this.#checkVapid(request.headers.get("Authorization") ?? "");
        if (request.headers.get("Content-Encoding") !== "aes128gcm") {
          throw new Error(`Content-Encoding ${request.headers.get("Content-Encoding")}`);
        }
        const plain = await decryptPush(body, held.keys, held.auth);
        payload = JSON.parse(new TextDecoder().decode(plain));
      } catch (error) {
        this.errors.push(String(error));
        return new Response(null, { status: 400 });
      }
    }
    this.received.push({
      subscriptionId: id,
      payload,
      urgency: request.headers.get("Urgency"),
      ttl: request.headers.get("TTL"),
      at: performance.now(),
    });
    for (const listener of this.#listeners.splice(0)) listener();
    return new Response(null, { status: held.status });
  }

  /** RFC 8292: `vapid t=<JWT>, k=<public key>`; the JWT signed by that key, for our origin. */
  async #checkVapid(header: string): Promise<void> {
    const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
    if (!match) throw new Error(`Authorization is not VAPID: ${header.slice(0, 40)}`);
    if (match[2] !== this.#vapidPublic) throw new Error("k is not the app's public key");
    this.#vapidKey ??= await vapidKey(this.#vapidPublic);
    const { payload, protectedHeader } = await jwtVerify(match[1], this.#vapidKey, {
      audience: this.origin,
      algorithms: ["ES256"],
    });
    if (protectedHeader.typ !== "JWT") throw new Error("JWT typ is not JWT");
    const exp = payload.exp ?? 0;
    if (exp * 1000 > Date.now() + 24 * 60 * 60 * 1000) throw new Error("exp more than 24 h away");
    if (typeof payload.sub !== "string" || !/^(mailto:|https:)/.test(payload.sub)) {
      throw new Error(`sub is not a contact: ${payload.sub}`);
    }
  }
}

/** The ECDSA verification key of a raw P-256 point (base64url). */
async function vapidKey(publicKey: string): Promise<CryptoKey> {
  const point = fromBase64url(publicKey)!;
  return await importJWK({
    kty: "EC",
    crv: "P-256",
    x: toBase64url(point.subarray(1, 33)),
    y: toBase64url(point.subarray(33)),
  }, "ES256") as CryptoKey;
}
