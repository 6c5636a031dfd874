/**
 * The application server's VAPID identity (RFC 8292): its P-256 signing key, the public half
 * browsers subscribe with (`GET /api/push/key`), and the `Authorization: vapid t=…, k=…` header
 * each push carries, an ES256 JWT for the push service's origin (`aud`), valid 12 h and reused
 * for an hour per origin.
 */
import { SignJWT } from "jose";
import type { Store } from "../../db/store.ts";
import { PUSH_VAPID_JWT_REUSE_MS, PUSH_VAPID_JWT_TTL_S } from "../limits.ts";
import { fromBase64url, toBase64url } from "./base64url.ts";
import type { PushConfig } from "./push_config.ts";

const SETTING_KEY = "vapid_keys";
const ECDSA = { name: "ECDSA", namedCurve: "P-256" } as const;

export interface VapidKeys {
  /** The public key, base64url of the uncompressed point (the `applicationServerKey`). */
  publicKey: string;
  privateKey: CryptoKey;
  subject: string;
}

/** The stored form of a generated pair (base64url point and scalar). */
interface StoredPair {
  publicKey: string;
  privateKey: string;
}

async function importPair(pair: StoredPair): Promise<CryptoKey> {
  const point = fromBase64url(pair.publicKey)!;
  return await crypto.subtle.importKey(
    "jwk",
    {
      kty: "EC",
      crv: "P-256",
      x: toBase64url(point.subarray(1, 33)),
      y: toBase64url(point.subarray(33)),
      d: pair.privateKey,
    },
    ECDSA,
    false,
    ["sign"],
  );
}

/** A fresh pair, as VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY take it (`deno task vapid-keys`). */
export async function generateVapidPair(): Promise<StoredPair> {
  const pair = await crypto.subtle.generateKey(ECDSA, true, ["sign", "verify"]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  return { publicKey: toBase64url(raw), privateKey: jwk.d! };
}

/**
 * The keys from the configuration, or (outside production) the pair made once and kept in the
 * store; null when push is off (production without keys).
 */
export async function resolveVapidKeys(
  push: PushConfig,
  options: { production: boolean; origin?: string },
  store: Pick<Store, "getOrCreateSetting">,
): Promise<VapidKeys | null> {
  const subject = push.vapidSubject ??
    (options.origin?.startsWith("https://") ? options.origin : "mailto:push@localhost");
  let pair: StoredPair;
  if (push.vapidPublicKey && push.vapidPrivateKey) {
    pair = { publicKey: push.vapidPublicKey, privateKey: push.vapidPrivateKey };
  } else if (options.production) {
    return null;
  } else {
    // Two instances racing here keep the same pair (the store's first write wins).
    const fresh = JSON.stringify(await generateVapidPair());
    pair = JSON.parse(await store.getOrCreateSetting(SETTING_KEY, fresh)) as StoredPair;
  }
  return { publicKey: pair.publicKey, privateKey: await importPair(pair), subject };
}

/** Signs the VAPID JWTs, one per push service origin, reused while fresh. */
export class VapidSigner {
  #keys: VapidKeys;
  #now: () => number;
  #cache = new Map<string, { header: string; until: number }>();

  constructor(keys: VapidKeys, now: () => number = Date.now) {
    this.#keys = keys;
    this.#now = now;
  }

  /** The `Authorization` header for a push to `endpoint`. */
  async authorization(endpoint: string): Promise<string> {
    const audience = new URL(endpoint).origin;
    const now = this.#now();
    const cached = this.#cache.get(audience);
    if (cached && cached.until > now) return cached.header;
    const jwt = await new SignJWT({ sub: this.#keys.subject })
      .setProtectedHeader({ typ: "JWT", alg: "ES256" })
      .setAudience(audience)
      .setExpirationTime(Math.floor(now / 1000) + PUSH_VAPID_JWT_TTL_S)
      .sign(this.#keys.privateKey);
    const header = `vapid t=${jwt}, k=${this.#keys.publicKey}`;
    // A few origins in practice (FCM, Mozilla, Apple…): the cache stays small.
    if (this.#cache.size > 100) this.#cache.clear();
    this.#cache.set(audience, { header, until: now + PUSH_VAPID_JWT_REUSE_MS });
    return header;
  }
}
