/**
 * The security log: one JSON line per account event (logins and their failures, throttling,
 * registrations, password and e-mail changes, resets, session revocations, account deletions, admin
 * actions), for an operator to read or ship to
 * their log system. Lines go to stderr, or are appended to the file `SECURITY_LOG` names.
 *
 * An event never carries a password or a token: the type has no field for them. A username
 * typed at a failed login is logged as typed (JSON-escaped, so it cannot forge a line), cut to
 * USERNAME_LOG_MAX characters.
 */

/** What happened. */
export type SecurityEventName =
  | "login"
  | "login_failed"
  | "login_throttled"
  | "registered"
  | "registration_refused"
  | "registration_throttled"
  | "logout"
  | "password_changed"
  | "password_change_failed"
  | "email_changed"
  | "email_change_failed"
  | "session_revoked"
  | "account_deleted"
  | "account_deletion_failed"
  | "password_reset_requested"
  | "password_reset_link_created"
  | "password_reset_used"
  | "user_suspended"
  | "user_reinstated"
  | "totp_enabled"
  | "totp_disabled"
  | "totp_disable_failed"
  | "recovery_code_used";

/** One event, as the services report it. */
export interface SecurityEvent {
  event: SecurityEventName;
  userId?: string;
  username?: string;
  /** The client's address (routes/client_ip.ts). */
  ip?: string;
  sessionId?: string;
  /** The administrator who acted, for admin actions (`userId` is then the target). */
  actorId?: string;
  /** Why, for refusals and revocations (`wrong_password`, `password_changed`, `by_user`...). */
  reason?: string;
}

/** An event as written: with its time first. */
export interface LoggedSecurityEvent extends SecurityEvent {
  time: string;
}

/** Where the services report security events. */
export interface SecurityLog {
  record(event: SecurityEvent): void;
}

const USERNAME_LOG_MAX = 64;

/** A log that hands each event, stamped and JSON-encoded, to `write` as one line. */
export function lineSecurityLog(
  write: (line: string) => void,
  now: () => number = Date.now,
): SecurityLog {
  return {
    record(event) {
      const logged: LoggedSecurityEvent = {
        time: new Date(now()).toISOString(),
        ...event,
        ...(event.username === undefined
          ? {}
          : { username: event.username.slice(0, USERNAME_LOG_MAX) }),
      };
      write(JSON.stringify(logged) + "\n");
    },
  };
}

/** A log that records nothing (`SECURITY_LOG=off`). */
export const NO_SECURITY_LOG: SecurityLog = { record() {} };

/** A log that holds a file open until closed. */
export interface ClosableSecurityLog extends SecurityLog {
  close(): void;
}

/**
 * The production log: `"stderr"`, `"off"`, or a file path (opened for appending, created if
 * missing). Writes are synchronous so no line is lost at exit or interleaved with another.
 */
export function openSecurityLog(target: string): ClosableSecurityLog {
  if (target === "off") return { ...NO_SECURITY_LOG, close() {} };
  const encoder = new TextEncoder();
  const file = target === "stderr"
    ? undefined
    : Deno.openSync(target, { append: true, create: true });
  const sink = file ?? Deno.stderr;
  const log = lineSecurityLog((line) => {
    const bytes = encoder.encode(line);
    let written = 0;
    while (written < bytes.length) written += sink.writeSync(bytes.subarray(written));
  });
  return { ...log, close: () => file?.close() };
}

/** Reads a security log file back as events (for tests and tools). */
export async function readSecurityLog(path: string): Promise<LoggedSecurityEvent[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}
