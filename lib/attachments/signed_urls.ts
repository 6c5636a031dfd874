/**
 * Signed file URLs: `?exp=<unix seconds>&sig=<HMAC-SHA256 of "<attachmentId>.<exp>", base64url>`
 * with a key derived from the app's secret (the JWT secret). Whoever holds one may read that
 * file (not its thumbnail's or any other) until it expires, without a cookie or token: for a
 * link shared out of the app, or a client that cannot send credentials with a media request.
 */

export interface UrlSigner {
  /** The `exp` and `sig` query parameters for this attachment, valid until `expiresAt`. */
  sign(attachmentId: string, expiresAt: number): Promise<{ exp: string; sig: string }>;
  /** True if `sig` signs this attachment and `exp`, and `exp` is not past `now` (ms). */
  verify(attachmentId: string, exp: string, sig: string, now: number): Promise<boolean>;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** A signer keyed by `secret` (a label keeps these signatures apart from the tokens'). */
export async function createUrlSigner(secret: string): Promise<UrlSigner> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(`salon attachment urls:${secret}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  const message = (id: string, exp: string) => encoder.encode(`${id}.${exp}`);
  return {
    async sign(attachmentId, expiresAt) {
      const exp = String(Math.floor(expiresAt / 1000));
      const mac = await crypto.subtle.sign("HMAC", key, message(attachmentId, exp));
      return { exp, sig: base64url(new Uint8Array(mac)) };
    },
    async verify(attachmentId, exp, sig, now) {
      if (!/^\d{1,12}$/.test(exp) || Number(exp) * 1000 <= now) return false;
      const mac = fromBase64url(sig);
      // crypto.subtle.verify compares in constant time.
      return mac !== null &&
        await crypto.subtle.verify("HMAC", key, mac, message(attachmentId, exp));
    },
  };
}
