/**
 * Session tokens: HS256 JWTs (jose) that name a user and a stored session.
 *
 * The signature proves we issued the token; the stored session proves it is still valid, which
 * is what makes logout real (see AccountService.authenticate).
 */
import { jwtVerify, SignJWT } from "jose";
import { SESSION_TOKEN_CACHE_MAX } from "./limits.ts";

const ISSUER = "salon";
const ALGORITHM = "HS256";

export interface TokenClaims {
  userId: string;
  sessionId: string;
  expiresAt: Date;
}

export interface TokenSigner {
  sign(claims: TokenClaims): Promise<string>;
  /** The claims of a valid token, or null for any invalid, foreign, expired or malformed one. */
  verify(token: string): Promise<Omit<TokenClaims, "expiresAt"> | null>;
}

/** Options of createTokenSigner. */
export interface TokenSignerOptions {
  /** The clock expiry is checked against (ms since the epoch); tests pass their own. */
  now?: () => number;
  /** Verified tokens remembered at most (SESSION_TOKEN_CACHE_MAX). */
  cacheMax?: number;
}

/** A verified token's claims and its `exp`, in ms. */
interface Verified {
  userId: string;
  sessionId: string;
  expiresAtMs: number;
}

/** Creates a signer for a secret; only HS256 tokens signed with it verify. */
export function createTokenSigner(
  secret: string,
  { now = Date.now, cacheMax = SESSION_TOKEN_CACHE_MAX }: TokenSignerOptions = {},
): TokenSigner {
  // Imported once: every authenticated request and socket verifies with it.
  const key = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  // Every request verifies its cookie: the HMAC check was 9% of the server's CPU under 1,000
  // reactions a second. A token is immutable, so once its exact string has verified only its
  // expiry can change; the cache keeps that string (nothing derived from it, so an edited token
  // is a different key and is verified in full) and checks `exp` on every hit. It says nothing
  // of the session, which the caller still reads (logout stays immediate). Failures are never
  // cached: garbage tokens cannot fill it. A Map iterates in insertion order, so its first key
  // is the oldest entry: the one dropped when it is full.
  const verified = new Map<string, Verified>();
  return {
    async sign({ userId, sessionId, expiresAt }) {
      return await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(await key);
    },
    async verify(token) {
      const at = now();
      const cached = verified.get(token);
      if (cached) {
        // jose's own rule: valid while the current second is before `exp`.
        if (at < cached.expiresAtMs) {
          return { userId: cached.userId, sessionId: cached.sessionId };
        }
        verified.delete(token);
        return null;
      }
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          currentDate: new Date(at),
        });
        if (typeof payload.sub !== "string" || typeof payload.sid !== "string") return null;
        const claims = { userId: payload.sub, sessionId: payload.sid };
        // Ours always carry `exp`; a token without one is checked in full every time.
        if (typeof payload.exp === "number" && cacheMax > 0) {
          if (verified.size >= cacheMax) verified.delete(verified.keys().next().value!);
          verified.set(token, { ...claims, expiresAtMs: payload.exp * 1000 });
        }
        return claims;
      } catch {
        return null;
      }
    },
  };
}
