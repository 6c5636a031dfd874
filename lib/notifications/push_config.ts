/**
 * The Web Push settings (API.md "Notifications"), read with the rest of the configuration
 * (lib/config.ts calls `parsePushConfig`):
 * - `VAPID_PUBLIC_KEY` (base64url, the 65-byte uncompressed P-256 point) and `VAPID_PRIVATE_KEY`
 *   (base64url, the 32-byte scalar): both or neither; neither outside production, a key pair is
 *   made once and kept in the store (lib/notifications/vapid_keys.ts); neither in production,
 *   push is off (`GET /api/push/key` answers 404 `push_unavailable`).
 * - `VAPID_SUBJECT`: `mailto:` or `https:`, how a push service reaches the operator (default:
 *   `ORIGIN` when it is https, else `mailto:push@localhost`).
 * - `PUSH_ALLOW_LOOPBACK=1`: endpoints may be http and on loopback or private addresses (tests
 *   and benchmarks, with a receiver of their own); never set it in production.
 */
import { ConfigError } from "../config.ts";
import { fromBase64url } from "./base64url.ts";

export interface PushConfig {
  vapidPublicKey?: string;
  vapidPrivateKey?: string;
  vapidSubject?: string;
  allowLoopback: boolean;
}

type Env = Record<string, string | undefined>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** Reads and checks the push settings; throws ConfigError naming the variable and the rule. */
export function parsePushConfig(env: Env): PushConfig {
  const vapidPublicKey = nonEmpty(env.VAPID_PUBLIC_KEY);
  const vapidPrivateKey = nonEmpty(env.VAPID_PRIVATE_KEY);
  if ((vapidPublicKey === undefined) !== (vapidPrivateKey === undefined)) {
    throw new ConfigError(
      "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both (or neither, outside production)",
    );
  }
  if (vapidPublicKey !== undefined) {
    const point = fromBase64url(vapidPublicKey);
    if (!point || point.length !== 65 || point[0] !== 4) {
      throw new ConfigError(
        `Invalid VAPID_PUBLIC_KEY: it must be an uncompressed P-256 point, base64url (65 bytes): got ${
          point ? `${point.length} bytes` : "not base64url"
        }`,
      );
    }
    const scalar = fromBase64url(vapidPrivateKey!);
    if (!scalar || scalar.length !== 32) {
      throw new ConfigError(
        `Invalid VAPID_PRIVATE_KEY: it must be a P-256 private key, base64url (32 bytes): got ${
          scalar ? `${scalar.length} bytes` : "not base64url"
        }`,
      );
    }
  }
  const vapidSubject = nonEmpty(env.VAPID_SUBJECT);
  if (
    vapidSubject !== undefined && !/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(vapidSubject)
  ) {
    throw new ConfigError(
      `Invalid VAPID_SUBJECT: it must be a mailto: address or an https: URL: got "${vapidSubject}"`,
    );
  }
  const loopback = nonEmpty(env.PUSH_ALLOW_LOOPBACK);
  if (loopback !== undefined && loopback !== "1" && loopback !== "0") {
    throw new ConfigError(`Invalid PUSH_ALLOW_LOOPBACK: it must be 1 or 0: got "${loopback}"`);
  }
  return { vapidPublicKey, vapidPrivateKey, vapidSubject, allowLoopback: loopback === "1" };
}
