/**
 * Web Push message encryption (RFC 8291) in the `aes128gcm` content coding (RFC 8188), with
 * WebCrypto only: an ephemeral P-256 ECDH key pair per message, HKDF-SHA-256 and AES-128-GCM.
 *
 * The body is one record: salt (16) ‖ record size (4, big-endian) ‖ key id length (1, 65) ‖ the
 * sender's ephemeral public key (65) ‖ AES-GCM(plaintext ‖ 0x02). Checked byte for byte against
 * RFC 8291's worked example (tests/push_encryption_test.ts).
 *
 * @example
 * ```ts
 * const body = await encryptPush({ p256dh, auth }, new TextEncoder().encode('{"title":"Hi"}'));
 * await fetch(endpoint, { method: "POST", body, headers: { "Content-Encoding": "aes128gcm" } });
 * ```
 */
import { fromBase64url } from "./base64url.ts";

/** The record size written in the header: one record holds any payload Salon sends. */
export const PUSH_RECORD_SIZE = 4096;
/** Bytes the coding adds to a payload: header 86, delimiter 1, GCM tag 16. */
export const PUSH_ENCRYPTION_OVERHEAD = 86 + 1 + 16;

const encoder = new TextEncoder();
const KEY_INFO = encoder.encode("WebPush: info\0");
const CEK_INFO = encoder.encode("Content-Encoding: aes128gcm\0");
const NONCE_INFO = encoder.encode("Content-Encoding: nonce\0");
const ECDH = { name: "ECDH", namedCurve: "P-256" } as const;

/** A subscription's keys, base64url as the browser gives them. */
export interface PushKeys {
  p256dh: string;
  auth: string;
}

/** Thrown for keys that are not a P-256 point and a 16-byte secret. */
export class InvalidPushKeys extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidPushKeys";
  }
}

/** Fixed inputs, for the RFC's example only: the sender's key pair and the salt. */
export interface EncryptionFixture {
  senderKeys: CryptoKeyPair;
  salt: Uint8Array<ArrayBuffer>;
}

/** A subscription's keys decoded and imported once (a fan-out may reuse them). */
export interface ImportedPushKeys {
  uaPublic: Uint8Array<ArrayBuffer>;
  uaKey: CryptoKey;
  auth: Uint8Array<ArrayBuffer>;
}

/** Decodes and imports a subscription's keys; throws InvalidPushKeys when they are not keys. */
export async function importPushKeys(keys: PushKeys): Promise<ImportedPushKeys> {
  const uaPublic = fromBase64url(keys.p256dh);
  const auth = fromBase64url(keys.auth);
  if (!uaPublic || uaPublic.length !== 65 || uaPublic[0] !== 4) {
    throw new InvalidPushKeys("keys.p256dh must be an uncompressed P-256 point (65 bytes).");
  }
  if (!auth || auth.length !== 16) {
    throw new InvalidPushKeys("keys.auth must be 16 bytes, base64url.");
  }
  let uaKey: CryptoKey;
  try {
    uaKey = await crypto.subtle.importKey("raw", uaPublic, ECDH, false, []);
  } catch {
    throw new InvalidPushKeys("keys.p256dh is not a P-256 public key.");
  }
  return { uaPublic, uaKey, auth };
}

/**
 * Imports the keys and proves the point is on the curve (an ECDH with a throwaway key: importing
 * a raw point does not check it); throws InvalidPushKeys. For subscribing, not for each send.
 */
export async function checkPushKeys(keys: PushKeys): Promise<ImportedPushKeys> {
  const imported = await importPushKeys(keys);
  const probe = await crypto.subtle.generateKey(ECDH, false, ["deriveBits"]) as CryptoKeyPair;
  try {
    await crypto.subtle.deriveBits({ name: "ECDH", public: imported.uaKey }, probe.privateKey, 256);
  } catch {
    throw new InvalidPushKeys("keys.p256dh is not a point on the P-256 curve.");
  }
  return imported;
}

/** HKDF-SHA-256 extract-and-expand to `bytes` bytes. */
async function hkdf(
  salt: Uint8Array<ArrayBuffer>,
  ikm: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  bytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bytes * 8),
  );
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Encrypts `plaintext` for one subscription: the request body of a push. */
export async function encryptPush(
  keys: PushKeys | ImportedPushKeys,
  plaintext: Uint8Array,
  fixture?: EncryptionFixture,
): Promise<Uint8Array<ArrayBuffer>> {
  const { uaPublic, uaKey, auth } = "uaKey" in keys ? keys : await importPushKeys(keys);
  // The record (plaintext, delimiter, tag) must fit the record size.
  if (plaintext.length + 1 + 16 > PUSH_RECORD_SIZE) {
    throw new RangeError(
      `A push payload must fit one ${PUSH_RECORD_SIZE}-byte record: got ${plaintext.length} bytes.`,
    );
  }
  const senderKeys = fixture?.senderKeys ??
    await crypto.subtle.generateKey(ECDH, true, ["deriveBits"]) as CryptoKeyPair;
  const salt = fixture?.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const [asPublic, ecdhSecret] = await Promise.all([
    crypto.subtle.exportKey("raw", senderKeys.publicKey).then((raw) => new Uint8Array(raw)),
    crypto.subtle.deriveBits({ name: "ECDH", public: uaKey }, senderKeys.privateKey, 256)
      .then((bits) => new Uint8Array(bits)),
  ]);
  const ikm = await hkdf(auth, ecdhSecret, concat(KEY_INFO, uaPublic, asPublic), 32);
  const [cek, nonce] = await Promise.all([
    hkdf(salt, ikm, CEK_INFO, 16),
    hkdf(salt, ikm, NONCE_INFO, 12),
  ]);
  const aesKey = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]);
  // 0x02: the last (and only) record, no padding after it.
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, tagLength: 128 },
      aesKey,
      concat(plaintext, new Uint8Array([2])),
    ),
  );
  const header = new Uint8Array(86);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, PUSH_RECORD_SIZE);
  header[20] = 65;
  header.set(asPublic, 21);
  return concat(header, sealed);
}

/**
 * Decrypts an `aes128gcm` push body with the subscriber's private key: what a browser does. For
 * tests and the benchmark's receiver (Salon never receives pushes).
 */
export async function decryptPush(
  body: Uint8Array<ArrayBuffer>,
  uaKeys: CryptoKeyPair,
  auth: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const salt = body.slice(0, 16);
  const idLength = body[20];
  const asPublic = body.slice(21, 21 + idLength);
  const uaPublic = new Uint8Array(await crypto.subtle.exportKey("raw", uaKeys.publicKey));
  const asKey = await crypto.subtle.importKey("raw", asPublic, ECDH, false, []);
  const ecdhSecret = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "ECDH", public: asKey }, uaKeys.privateKey, 256),
  );
  const ikm = await hkdf(auth, ecdhSecret, concat(KEY_INFO, uaPublic, asPublic), 32);
  const cek = await hkdf(salt, ikm, CEK_INFO, 16);
  const nonce = await hkdf(salt, ikm, NONCE_INFO, 12);
  const aesKey = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["decrypt"]);
  const padded = new Uint8Array(
    await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: nonce, tagLength: 128 },
      aesKey,
      body.slice(21 + idLength),
    ),
  );
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 2) throw new Error("Not a last record: no 0x02 delimiter.");
  return padded.slice(0, end);
}
