/**
 * Session tokens: HS256 JWTs (jose) that name a user and a stored session.
 *
 * The signature proves we issued the token; the stored session proves it is still valid, which
 * is what makes logout real (see AccountService.authenticate).
 */
import { jwtVerify, SignJWT } from "jose";

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

/** Creates a signer for a secret; only HS256 tokens signed with it verify. */
export function createTokenSigner(secret: string): TokenSigner {
  // Imported once: every authenticated request and socket verifies with it.
  const key = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
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
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
        });
        if (typeof payload.sub !== "string" || typeof payload.sid !== "string") return null;
        return { userId: payload.sub, sessionId: payload.sid };
      } catch {
        return null;
      }
    },
  };
}
