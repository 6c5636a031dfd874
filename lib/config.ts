/**
 * Typed configuration read from environment variables once, at start-up.
 *
 * Every value is validated here so a typo fails fast with a message that names the variable,
 * the rule and the value given, instead of surfacing later as an odd runtime error.
 */
import { parsePushConfig } from "./notifications/push_config.ts";
import type { PushConfig } from "./notifications/push_config.ts";
import {
  ATTACHMENT_MAX_BYTES_DEFAULT,
  DEFAULT_BCRYPT_COST,
  DEFAULT_LOGIN_RATE_LIMIT,
  DEFAULT_MESSAGE_RATE_LIMIT,
  DEFAULT_READ_RATE_LIMIT,
  DEFAULT_REGISTER_RATE_LIMIT,
  DEFAULT_SEARCH_RATE_LIMIT,
  JWT_SECRET_MIN_LENGTH,
  MAX_BCRYPT_COST,
  MIN_BCRYPT_COST,
  TRUST_PROXY_MAX,
  UPLOAD_QUOTA_BYTES_DEFAULT,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  USERNAME_PATTERN,
  WS_IDLE_TIMEOUT_S,
} from "./limits.ts";

/** Rates per window; 0 turns a limit off. */
export interface RateLimitConfig {
  /** Messages per user per 10 s. */
  message: number;
  /** Failed logins per account per 15 min (per IP: ten times this). */
  login: number;
  /** Registrations per IP per hour. */
  register: number;
  /** Messages read (history pages and resume replays) per user per 10 s. */
  read: number;
  /** Searches per user per 10 s. */
  search: number;
  /**
   * Per-address bounds on concurrent password jobs and WebSockets (lib/limits.ts); false with
   * `RATE_LIMITS=off`, since a load generator is one address.
   */
  perAddress: boolean;
}

/** Who may create an account: anyone, holders of an invite code, or nobody. */
export type RegistrationMode = "open" | "invite" | "closed";

/** Where uploaded files are kept (`BLOB_STORE`, db/blobs/open_blob_store.ts). */
export type BlobStoreKind = "fs" | "kv" | "postgres" | "s3";

export interface BlobStoreConfig {
  /** fs beside a local KV file, postgres with DATABASE_URL, kv on Deno Deploy; or s3. */
  kind: BlobStoreKind;
  /** `FILES_PATH`: the folder of the fs store (default ./data/files). */
  filesPath: string;
  /** `S3_ENDPOINT`, `S3_BUCKET`, `S3_REGION` (default us-east-1), `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`. */
  s3?: {
    endpoint: string;
    bucket: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
  };
}

/** How instances share events: not at all, through Deno KV, PostgreSQL, Redis or NATS. */
export type BusKind = "local" | "kv" | "postgres" | "redis" | "nats";

export interface Config {
  port: number;
  host: string;
  /** The public origin (`scheme://host[:port]`), or undefined to trust each request's own. */
  origin?: string;
  /** Deno KV file; undefined on Deno Deploy, where KV opens the platform's database. */
  kvPath?: string;
  /** When set, PostgreSQL is used instead of Deno KV. */
  databaseUrl?: string;
  jwtSecret?: string;
  /** PostgreSQL with DATABASE_URL; KV on Deno Deploy; else one process (override: BUS). */
  bus: BusKind;
  /** Uploaded files (attachments). */
  blobStore: BlobStoreConfig;
  /** `ATTACHMENT_MAX_BYTES`: one upload's largest size (default 25 MiB). */
  attachmentMaxBytes: number;
  /** `UPLOAD_QUOTA_BYTES`: what one user's stored uploads may add up to (default 1 GiB). */
  uploadQuotaBytes: number;
  /** `REDIS_URL` (redis:// or rediss://): Redis 7 or Valkey, for BUS=redis. */
  redisUrl?: string;
  /** `NATS_URL` (nats://host:port, comma-separated for a cluster): NATS with JetStream. */
  natsUrl?: string;
  /** `BUS_PREFIX` (default `salon`): prefixes Redis keys and channels, NATS subjects and streams. */
  busPrefix: string;
  bcryptCost: number;
  rateLimits: RateLimitConfig;
  /** Seconds between WebSocket pings; a peer that misses a pong is closed (half-open). */
  wsIdleTimeoutS: number;
  /**
   * Addresses of the reverse proxies in front of the app (`TRUST_PROXY`, comma-separated; none
   * by default): the only way `X-Forwarded-For` is believed.
   */
  trustProxy: string[];
  /** `REGISTRATION`: who may create an account (default open). */
  registration: RegistrationMode;
  /** `SECURITY_LOG`: "stderr" (default), "off", or a file the JSON lines are appended to. */
  securityLog: string;
  /** `ADMIN_USERNAMES`: the instance administrators (lowercased; none by default). */
  adminUsernames: string[];
  /** `SMTP_URL` (smtp:// or smtps://): set, users may ask for a reset link by e-mail. */
  smtpUrl?: string;
  /** `SMTP_FROM`: the sender of those mails (default `Salon <noreply@localhost>`). */
  mailFrom: string;
  /** `DENO_ENV=production`: no generated secrets. */
  production: boolean;
  /** Web Push: VAPID keys and subject, PUSH_ALLOW_LOOPBACK (lib/notifications/push_config.ts). */
  push?: PushConfig;
  /** Running on Deno Deploy (`DENO_DEPLOYMENT_ID` is set). */
  deployment: boolean;
}

/** A configuration value that breaks its rule. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the configuration.
 *
 * @example Defaults for a local run
 * ```ts
 * const config = loadConfig({});
 * config.port; // 8000
 * ```
 */
export function loadConfig(env: Env = Deno.env.toObject()): Config {
  const deployment = nonEmpty(env.DENO_DEPLOYMENT_ID) !== undefined;
  const production = env.DENO_ENV === "production";
  const jwtSecret = nonEmpty(env.JWT_SECRET);
  if (jwtSecret !== undefined && jwtSecret.length < JWT_SECRET_MIN_LENGTH) {
    throw new ConfigError(
      `Invalid JWT_SECRET: it must be at least ${JWT_SECRET_MIN_LENGTH} characters: current length is ${jwtSecret.length}`,
    );
  }
  if (production && jwtSecret === undefined) {
    throw new ConfigError(
      "JWT_SECRET is required when DENO_ENV=production: set it to a random string of at least 32 characters",
    );
  }
  const ratesOff = env.RATE_LIMITS === "off";
  if (env.RATE_LIMITS !== undefined && env.RATE_LIMITS !== "" && !ratesOff) {
    throw new ConfigError(
      `Invalid RATE_LIMITS: the only accepted value is "off": got "${env.RATE_LIMITS}"`,
    );
  }
  const rate = (name: string, fallback: number) =>
    ratesOff ? 0 : integer(env, name, fallback, 0, 1_000_000);
  const databaseUrl = parseDatabaseUrl(nonEmpty(env.DATABASE_URL));
  return {
    port: integer(env, "PORT", 8000, 0, 65535),
    host: nonEmpty(env.HOST) ?? "0.0.0.0",
    origin: parseOrigin(nonEmpty(env.ORIGIN)),
    kvPath: deployment ? undefined : nonEmpty(env.KV_PATH) ?? "./data/salon.kv",
    databaseUrl,
    jwtSecret,
    bus: parseBus(nonEmpty(env.BUS), databaseUrl !== undefined, deployment, env),
    blobStore: parseBlobStore(env, databaseUrl !== undefined, deployment),
    attachmentMaxBytes: integer(
      env,
      "ATTACHMENT_MAX_BYTES",
      ATTACHMENT_MAX_BYTES_DEFAULT,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    uploadQuotaBytes: integer(
      env,
      "UPLOAD_QUOTA_BYTES",
      UPLOAD_QUOTA_BYTES_DEFAULT,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    redisUrl: parseBrokerUrl("REDIS_URL", nonEmpty(env.REDIS_URL), /^rediss?:\/\//),
    natsUrl: parseBrokerUrl("NATS_URL", nonEmpty(env.NATS_URL), /^(nats|tls):\/\/|^[^:/]+:\d+/),
    busPrefix: parseBusPrefix(nonEmpty(env.BUS_PREFIX)),
    bcryptCost: integer(env, "BCRYPT_COST", DEFAULT_BCRYPT_COST, MIN_BCRYPT_COST, MAX_BCRYPT_COST),
    rateLimits: {
      message: rate("MESSAGE_RATE_LIMIT", DEFAULT_MESSAGE_RATE_LIMIT),
      login: rate("LOGIN_RATE_LIMIT", DEFAULT_LOGIN_RATE_LIMIT),
      register: rate("REGISTER_RATE_LIMIT", DEFAULT_REGISTER_RATE_LIMIT),
      read: rate("READ_RATE_LIMIT", DEFAULT_READ_RATE_LIMIT),
      search: rate("SEARCH_RATE_LIMIT", DEFAULT_SEARCH_RATE_LIMIT),
      perAddress: !ratesOff,
    },
    wsIdleTimeoutS: integer(env, "WS_IDLE_TIMEOUT", WS_IDLE_TIMEOUT_S, 1, 3600),
    trustProxy: parseProxies(nonEmpty(env.TRUST_PROXY)),
    registration: parseRegistration(nonEmpty(env.REGISTRATION)),
    securityLog: parseSecurityLog(nonEmpty(env.SECURITY_LOG)),
    adminUsernames: parseAdmins(nonEmpty(env.ADMIN_USERNAMES)),
    smtpUrl: parseSmtpUrl(nonEmpty(env.SMTP_URL)),
    mailFrom: parseMailFrom(nonEmpty(env.SMTP_FROM)),
    production,
    deployment,
    push: parsePushConfig(env),
  };
}

/** Comma-separated usernames, checked like at registration (and lowercased like it). */
function parseAdmins(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const names = raw.split(",").map((part) => part.trim().toLowerCase()).filter((part) => part);
  for (const name of names) {
    if (
      name.length < USERNAME_MIN_LENGTH || name.length > USERNAME_MAX_LENGTH ||
      !USERNAME_PATTERN.test(name)
    ) {
      throw new ConfigError(
        `Invalid ADMIN_USERNAMES: it must be a comma-separated list of usernames (${USERNAME_MIN_LENGTH}–${USERNAME_MAX_LENGTH} of a–z, 0–9, "_", "." or "-"): got "${name}"`,
      );
    }
  }
  return [...new Set(names)];
}

function parseSmtpUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "smtp:" && url.protocol !== "smtps:") || url.hostname === "") {
    throw new ConfigError(
      `Invalid SMTP_URL: it must be a URL like smtp://127.0.0.1:2525 or smtps://user:password@mail.example.com: got "${
        raw.replace(/:[^:@/]*@/, ":***@")
      }"`,
    );
  }
  return raw;
}

const DEFAULT_MAIL_FROM = "Salon <noreply@localhost>";

function parseMailFrom(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_MAIL_FROM;
  // A line break would let the value add mail headers of its own.
  if (!raw.includes("@") || /[\r\n]/.test(raw)) {
    throw new ConfigError(
      `Invalid SMTP_FROM: it must be an address like "Salon <noreply@chat.example.com>": got "${raw}"`,
    );
  }
  return raw;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(
      `Invalid ${name}: it must be an integer from ${min} to ${max}: got "${raw}"`,
    );
  }
  return value;
}

function parseOrigin(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `Invalid ORIGIN: it must be a URL like http://127.0.0.1:8000: got "${raw}"`,
    );
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") || url.pathname !== "/" || url.search
  ) {
    throw new ConfigError(
      `Invalid ORIGIN: it must be an http(s) origin without a path, like https://chat.example.com: got "${raw}"`,
    );
  }
  return url.origin;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+(%\w+)?$/i;

function parseProxies(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const addresses = raw.split(",").map((part) => part.trim()).filter((part) => part !== "");
  for (const address of addresses) {
    if (!IPV4.test(address) && !(address.includes(":") && IPV6.test(address))) {
      throw new ConfigError(
        `Invalid TRUST_PROXY: it must be a comma-separated list of proxy IP addresses: got "${address}"`,
      );
    }
  }
  if (addresses.length > TRUST_PROXY_MAX) {
    throw new ConfigError(
      `Invalid TRUST_PROXY: at most ${TRUST_PROXY_MAX} addresses: got ${addresses.length}`,
    );
  }
  return addresses;
}

function parseDatabaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError(
      `Invalid DATABASE_URL: it must start with postgres:// or postgresql://: got "${
        raw.replace(/:[^:@/]*@/, ":***@")
      }"`,
    );
  }
  return raw;
}

const BUS_KINDS: readonly BusKind[] = ["local", "kv", "postgres", "redis", "nats"];

function parseBus(
  raw: string | undefined,
  postgres: boolean,
  deployment: boolean,
  env: Env,
): BusKind {
  const fallback: BusKind = postgres ? "postgres" : deployment ? "kv" : "local";
  if (raw === undefined) return fallback;
  if (!(BUS_KINDS as readonly string[]).includes(raw)) {
    throw new ConfigError(
      `Invalid BUS: it must be local, kv, postgres, redis or nats: got "${raw}"`,
    );
  }
  if (raw === "redis" && nonEmpty(env.REDIS_URL) === undefined) {
    throw new ConfigError("BUS=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379)");
  }
  if (raw === "nats" && nonEmpty(env.NATS_URL) === undefined) {
    throw new ConfigError("BUS=nats needs NATS_URL (e.g. nats://127.0.0.1:4222)");
  }
  if (raw === "postgres" && !postgres) throw new ConfigError("BUS=postgres needs DATABASE_URL");
  if (raw === "kv" && postgres) {
    throw new ConfigError("BUS=kv needs the KV store (unset DATABASE_URL)");
  }
  return raw as BusKind;
}

/** A broker URL of the expected scheme, its password masked in the message. */
function parseBrokerUrl(name: string, raw: string | undefined, shape: RegExp): string | undefined {
  if (raw === undefined) return undefined;
  if (!raw.split(",").every((part) => shape.test(part.trim()))) {
    throw new ConfigError(
      `Invalid ${name}: got "${raw.replace(/:[^:@/]*@/, ":***@")}" (${
        name === "REDIS_URL" ? "redis://host:port or rediss://" : "nats://host:port"
      })`,
    );
  }
  return raw;
}

/** Letters, digits, `_` and `-`: one token of a NATS subject and a stream name. */
function parseBusPrefix(raw: string | undefined): string {
  if (raw === undefined) return "salon";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) {
    throw new ConfigError(
      `Invalid BUS_PREFIX: letters, digits, _ and - only, at most 64: got "${raw}"`,
    );
  }
  return raw;
}

const S3_REQUIRED = ["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"];
const S3_BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BLOB_STORE_KINDS: readonly BlobStoreKind[] = ["fs", "kv", "postgres", "s3"];

function parseBlobStore(env: Env, postgres: boolean, deployment: boolean): BlobStoreConfig {
  const raw = nonEmpty(env.BLOB_STORE);
  if (raw !== undefined && !(BLOB_STORE_KINDS as readonly string[]).includes(raw)) {
    throw new ConfigError(`Invalid BLOB_STORE: it must be fs, kv, postgres or s3: got "${raw}"`);
  }
  const kind = (raw ?? (postgres ? "postgres" : deployment ? "kv" : "fs")) as BlobStoreKind;
  if (kind === "postgres" && !postgres) {
    throw new ConfigError("BLOB_STORE=postgres needs DATABASE_URL");
  }
  if (kind === "kv" && postgres) {
    throw new ConfigError("BLOB_STORE=kv needs the KV store (unset DATABASE_URL)");
  }
  if (kind === "fs" && deployment) {
    throw new ConfigError(
      "BLOB_STORE=fs cannot run on Deno Deploy (no writable file system): use kv or s3",
    );
  }
  const filesPath = nonEmpty(env.FILES_PATH) ?? "./data/files";
  const given = [...S3_REQUIRED, "S3_REGION"].filter((name) => nonEmpty(env[name]) !== undefined);
  if (kind !== "s3") {
    // S3 settings that would be silently unused: most likely BLOB_STORE=s3 was forgotten.
    if (given.length > 0) {
      const names = given.join(", ");
      throw new ConfigError(
        `${names} set but BLOB_STORE is ${kind}: set BLOB_STORE=s3 to store files there, or unset them`,
      );
    }
    return { kind, filesPath };
  }
  const missing = S3_REQUIRED.filter((name) => nonEmpty(env[name]) === undefined);
  if (missing.length > 0) throw new ConfigError(`BLOB_STORE=s3 needs ${missing.join(", ")}`);
  const bucket = nonEmpty(env.S3_BUCKET)!;
  if (!S3_BUCKET_PATTERN.test(bucket)) {
    throw new ConfigError(
      `Invalid S3_BUCKET: it must be 3–63 of a–z, 0–9, "." or "-", starting and ending with a letter or digit: got "${bucket}"`,
    );
  }
  return {
    kind,
    filesPath,
    s3: {
      endpoint: parseS3Endpoint(nonEmpty(env.S3_ENDPOINT)!),
      bucket,
      region: nonEmpty(env.S3_REGION) ?? "us-east-1",
      accessKeyId: nonEmpty(env.S3_ACCESS_KEY_ID)!,
      secretAccessKey: nonEmpty(env.S3_SECRET_ACCESS_KEY)!,
    },
  };
}

/** An http(s) origin without a path: buckets are addressed path-style below it. */
function parseS3Endpoint(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (
    !url || (url.protocol !== "http:" && url.protocol !== "https:") || url.pathname !== "/" ||
    url.search || url.username || url.password
  ) {
    throw new ConfigError(
      `Invalid S3_ENDPOINT: it must be an http(s) URL without a path or credentials, like https://s3.eu-west-1.amazonaws.com: got "${raw}"`,
    );
  }
  return url.origin;
}

function parseRegistration(raw: string | undefined): RegistrationMode {
  if (raw === undefined) return "open";
  if (raw !== "open" && raw !== "invite" && raw !== "closed") {
    throw new ConfigError(
      `Invalid REGISTRATION: it must be open, invite or closed: got "${raw}"`,
    );
  }
  return raw;
}

/** "stderr", "off", or the path of a file whose directory exists (the file may not yet). */
function parseSecurityLog(raw: string | undefined): string {
  if (raw === undefined || raw === "stderr" || raw === "off") return raw ?? "stderr";
  const directory = raw.includes("/") ? raw.slice(0, raw.lastIndexOf("/")) || "/" : ".";
  if (!isDirectory(directory) || isDirectory(raw)) {
    throw new ConfigError(
      `Invalid SECURITY_LOG: it must be stderr, off, or a file path in an existing directory: got "${raw}"`,
    );
  }
  return raw;
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
