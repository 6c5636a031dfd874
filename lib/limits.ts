/**
 * Every size, length, time window and default rate of Salon, in one place.
 *
 * Validation, middleware and the stores read their bounds from here so a limit is changed once
 * and documented once (see the README's configuration table for the rates set by environment).
 */

/** Usernames: lowercased, then 3–32 of `[a-z0-9_.-]`. */
export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 32;
export const USERNAME_PATTERN = /^[a-z0-9_.-]+$/;

/** Passwords are counted in Unicode code points. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export const DISPLAY_NAME_MAX_LENGTH = 64;
export const BIO_MAX_LENGTH = 500;

/** Uploaded avatars: PNG, JPEG, WebP or GIF, sniffed from their bytes. */
export const AVATAR_MAX_BYTES = 1024 * 1024;

/** Request bodies. The avatar form carries the image plus multipart framing. */
export const JSON_BODY_MAX_BYTES = 64 * 1024;
export const FORM_BODY_MAX_BYTES = 64 * 1024;
export const AVATAR_FORM_MAX_BYTES = AVATAR_MAX_BYTES + 64 * 1024;

/** A login lasts this long; logging out ends it earlier. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Rate-limit windows and defaults (each default can be changed by environment). */
export const MESSAGE_RATE_WINDOW_MS = 10 * 1000;
export const LOGIN_RATE_WINDOW_MS = 15 * 60 * 1000;
export const REGISTER_RATE_WINDOW_MS = 60 * 60 * 1000;
export const DEFAULT_MESSAGE_RATE_LIMIT = 50;
/**
 * Messages one user may read per 10 s (HTTP pages and `resume` replays together; READ_RATE_LIMIT).
 * Reads were unlimited: 20 `resume` frames of 71 bytes returned 20,000 messages (87 MB) in 11 s.
 */
export const DEFAULT_READ_RATE_LIMIT = 5_000;
export const READ_RATE_WINDOW_MS = 10 * 1000;
/**
 * Searches one user may run per 10 s (SEARCH_RATE_LIMIT): each one reads an index and decorates
 * a page, far more work than a history page, so a script cannot keep the store busy with them.
 */
export const DEFAULT_SEARCH_RATE_LIMIT = 30;
export const SEARCH_RATE_WINDOW_MS = 10 * 1000;
export const DEFAULT_LOGIN_RATE_LIMIT = 10;
export const DEFAULT_REGISTER_RATE_LIMIT = 20;
/** Failed logins allowed per IP, as a multiple of the per-account limit. */
export const LOGIN_RATE_IP_MULTIPLIER = 10;

/** bcrypt work factor: 10 is the product default, 4 the library minimum (tests, benchmarks). */
export const DEFAULT_BCRYPT_COST = 10;
export const MIN_BCRYPT_COST = 4;
export const MAX_BCRYPT_COST = 31;

/** A JWT secret shorter than this is refused: HS256 wants at least 256 bits of key. */
export const JWT_SECRET_MIN_LENGTH = 32;

/** Servers, channels and messages. */
export const SERVER_NAME_MAX_LENGTH = 100;
export const CHANNEL_NAME_MAX_LENGTH = 32;
export const MESSAGE_MAX_LENGTH = 4000;
/** A client's nonce for a send: an opaque id of its own choosing. */
export const NONCE_MAX_LENGTH = 64;
export const MESSAGE_PAGE_DEFAULT = 50;
export const MESSAGE_PAGE_MAX = 100;
/** Channels (with their server) remembered per process; they never change once created. */
export const PLACE_CACHE_SIZE = 10_000;
/** Invite codes: random bytes, base64url-encoded. */
export const INVITE_CODE_BYTES = 9;

/** WebSocket. */
/** A frame larger than this closes the socket with 1009 (message too big). */
export const WS_MAX_FRAME_BYTES = 32 * 1024;
/** A socket must authenticate (cookie or `auth` frame) within this time. */
export const WS_AUTH_TIMEOUT_MS = 10_000;
/** Protocol-level ping interval; a socket that does not answer is closed (half-open peers). */
export const WS_IDLE_TIMEOUT_S = 30;
/** A socket whose unsent data exceeds this is too slow to keep: closed with WS_CLOSE_SLOW. */
export const WS_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Bad frames tolerated per window before the socket is closed with 1008. */
export const WS_MAX_ERRORS = 20;
export const WS_ERROR_WINDOW_MS = 10_000;
/** At most one typing event per user and channel per this interval. */
export const TYPING_THROTTLE_MS = 2_000;
/** After `ready`, live messages wait up to this long for a `resume` (clients that resume late). */
export const RESUME_GRACE_MS = 300;
/** Resume replays at most this many messages per channel; the client pages the rest by HTTP. */
export const RESUME_MAX_MESSAGES = 1000;

/** An early message waits this long for the one before it before the gap is read from the store. */
export const GAP_WAIT_MS = 25;
/** A gap that could not be read (the database away) is tried again after this long. */
export const GAP_RETRY_MS = 250;

/** Close codes (4000–4999 are the application's). */
export const WS_CLOSE_SLOW_CONSUMER = 4008;
export const WS_CLOSE_UNAUTHENTICATED = 4401;
export const WS_CLOSE_SESSION_ENDED = 4403;
export const WS_CLOSE_RESTART = 1012;
/** The socket could not be set up (the database away): come back later. */
export const WS_CLOSE_TRY_AGAIN = 1013;

/** On shutdown, how long sockets get to finish their close handshake. */
export const SHUTDOWN_SOCKET_GRACE_MS = 2_000;
/** On shutdown, how long in-flight HTTP requests get to finish. */
export const SHUTDOWN_REQUEST_GRACE_MS = 10_000;

/** The Deno KV bus: how long log entries live, how often it polls besides watching, retries. */
export const KV_BUS_EVENT_TTL_MS = 5 * 60 * 1000;
export const KV_BUS_POLL_MS = 1000;
export const KV_BUS_DRAIN_RETRY_MS = 50;

/** Frame ids a Redis/NATS bus remembers, to drop a frame heard twice (several servers' keys). */
export const BUS_RECENT_FRAMES = 10_000;
/** A key the hub no longer needs stays followed this long (a socket reconnecting at once). */
export const BUS_FOLLOW_LINGER_MS = 5_000;
/** Every instance says it is alive this often, on every bus. */
export const INSTANCE_HEARTBEAT_MS = 15_000;
/**
 * An instance not heard of for this long is dead: its users go offline (heard within a check
 * every third of a heartbeat, so at most 50 s after its last heartbeat, under the contract's 60).
 */
export const INSTANCE_EXPIRY_MS = 45_000;
/**
 * A heartbeat lists the instance's online users (so every instance knows who is online, even on
 * servers it follows nothing of) up to this many (under 400 KB, within one Deno KV commit);
 * past it, only presence events say so.
 */
export const INSTANCE_HEARTBEAT_USERS_MAX = 10_000;
/** `ready` lists at most this many online users (`online`); past it the field is left out. */
export const READY_ONLINE_MAX = 10_000;
/** The NATS bus's stream keeps events this long (replay after a reconnect)... */
export const NATS_STREAM_MAX_AGE_MS = 10 * 60 * 1000;
/** ...and at most this many; older ones go first. */
export const NATS_STREAM_MAX_MSGS = 1_000_000;
/** A publish retried within this window (same Nats-Msg-Id) is stored once. */
export const NATS_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
/** Tries of one NATS publish before it is given up (receivers catch up by seq). */
export const NATS_PUBLISH_ATTEMPTS = 5;
/** How long a socket's start waits for a Redis/NATS bus to follow its keys (down: renewed). */
export const BUS_FOLLOW_WAIT_MS = 2_000;
/** A replay after a reconnect longer than this reads the store instead. */
export const NATS_REPLAY_MAX = 50_000;

/**
 * Sign-in throttling (lib/accounts/attempt_throttle.ts): past the free failures, each further
 * attempt waits a delay that doubles from the first to the cap, so a guesser is slowed to a
 * crawl but nobody is shut out for a quarter of an hour by someone else's guesses.
 */
export const LOGIN_BACKOFF_FIRST_MS = 1_000;
/** The longest wait for one (account, address) pair: the guesser's own. */
export const LOGIN_BACKOFF_PAIR_MAX_MS = 15 * 60 * 1000;
/** The longest wait for an account or an address as a whole (shared with its rightful users). */
export const LOGIN_BACKOFF_SHARED_MAX_MS = 60_000;
/** Password hashes or checks in flight for one address; more get 429 at once. */
export const PASSWORD_JOBS_PER_IP = 4;
/** Password jobs queued for the worker thread at most; more get 429 (the server is busy). */
export const PASSWORD_QUEUE_MAX = 64;
/** Reverse proxy addresses TRUST_PROXY may list at most. */
export const TRUST_PROXY_MAX = 10;

/**
 * A resume's store read (a channel's membership check, a page of its replay) that meets an
 * outage is tried this many times in all, pausing RESUME_RETRY_MS × the attempt in between;
 * then the client gets an `unavailable` error naming the channel and may resume again.
 */
export const RESUME_STORE_ATTEMPTS = 3;
export const RESUME_RETRY_MS = 100;

/**
 * A chat page counts the reader's mentions in at most this many unread channels (one read of
 * the latest unread page each), those of the shown server first; the others show their unread
 * count and pick up mentions live.
 */
export const UNREAD_SEED_MENTION_CHANNELS_MAX = 50;

/**
 * WebSockets one address may hold open (authenticated or not), and those still waiting for an
 * `auth` frame: per address and in all. Deno buffers a frame whole (up to 64 MiB; no option to
 * lower it: denoland/deno#15809) before the 32 KiB check can see it, so sockets nobody has
 * vouched for are what must be few: at most 2 × 64 MiB per address, 32 × 64 MiB in all, each
 * freed as soon as its oversized frame arrives (closed with 1009). Browsers authenticate by
 * cookie at the upgrade and never count here.
 */
export const WS_SOCKETS_PER_IP = 256;
export const WS_ANONYMOUS_PER_IP = 2;
export const WS_ANONYMOUS_MAX = 32;
/** A refused socket is told to try again after this many seconds. */
export const WS_ADMISSION_RETRY_S = 5;

/**
 * Session tokens whose signature this instance has verified, remembered (with their expiry) so
 * a request skips the HMAC check; past this many the oldest go (lib/tokens.ts). About 300 bytes
 * each: 3 MB at most.
 */
export const SESSION_TOKEN_CACHE_MAX = 10_000;
/** A session's `lastSeenAt` is written at most this often (not on every request). */
export const SESSION_TOUCH_INTERVAL_MS = 60 * 1000;
/** A session keeps at most this many characters of the client's `User-Agent`. */
export const SESSION_USER_AGENT_MAX = 256;

/** A password reset link works once, for this long (API.md "Accounts"). */
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;
/**
 * "Forgot password?" requests per address, and reset mails per account, per
 * PASSWORD_RESET_WINDOW_MS (more requests for one account are dropped silently).
 */
export const PASSWORD_RESET_REQUESTS_PER_IP = 20;
export const PASSWORD_RESET_MAILS_PER_ACCOUNT = 3;
export const PASSWORD_RESET_WINDOW_MS = 60 * 60 * 1000;
/** `GET /api/admin/users`: users per page by default and at most. */
export const ADMIN_USERS_PAGE_DEFAULT = 50;
export const ADMIN_USERS_PAGE_MAX = 100;
/**
 * How long a pipelined PostgreSQL transaction (db/postgres/transaction.ts) waits for a connection
 * of its own before it runs as an ordinary one: far above a busy pool's waits (milliseconds), and
 * only a `reserve()` that postgres.js lost (porsager/postgres#1195) waits it out.
 */
export const POSTGRES_RESERVE_WAIT_MS = 1_000;
/** The longest e-mail address accepted (RFC 5321's limit on a path). */
export const EMAIL_MAX_LENGTH = 254;

/**
 * Data exports (GET /api/me/export) read everything a user ever wrote: each user runs one at a
 * time (another meanwhile waits DATA_EXPORT_BUSY_RETRY_S) and at most DATA_EXPORTS_PER_WINDOW
 * per DATA_EXPORT_WINDOW_MS, counted when one starts.
 */
export const DATA_EXPORTS_PER_WINDOW = 3;
export const DATA_EXPORT_WINDOW_MS = 60 * 60 * 1000;
export const DATA_EXPORT_BUSY_RETRY_S = 10;
/** Messages an export reads from the store at once (its memory is about one page). */
export const DATA_EXPORT_PAGE_SIZE = 500;
/** An invite code longer than this is not looked up (real ones are about 12 characters). */
export const INVITE_CODE_INPUT_MAX = 64;
/** Frames a socket queues while it is still starting; past this it closes (1008). */
export const SOCKET_EARLY_FRAMES_MAX = 64;

// Governance (API.md "Permissions and roles", "Managing servers…"); Discord's limits where it has one.
/** Roles per server, `@everyone` included. */
export const ROLES_PER_SERVER_MAX = 250;
export const ROLE_NAME_MAX_LENGTH = 100;
/** Channels and categories per server. */
export const CHANNELS_PER_SERVER_MAX = 500;
export const CHANNEL_TOPIC_MAX_LENGTH = 1024;
/** Overwrites on one channel. */
export const OVERWRITES_PER_CHANNEL_MAX = 100;
/** A time-out lasts at most 28 days. */
export const TIMEOUT_MAX_MS = 28 * 24 * 60 * 60 * 1000;
/** An invite's `maxAgeSeconds`: at most 7 days (0: never expires). */
export const INVITE_MAX_AGE_MAX_S = 7 * 24 * 60 * 60;
/** An invite's `maxUses`: at most 100 (0: unlimited). */
export const INVITE_MAX_USES_MAX = 100;
/** A ban's `deleteMessagesSeconds`: at most 7 days back. */
export const BAN_DELETE_MESSAGES_MAX_S = 7 * 24 * 60 * 60;
/** At most this many of a banned user's messages are deleted with a ban. */
export const BAN_DELETE_MESSAGES_COUNT_MAX = 5_000;
/** The `reason` of a kick, ban, time-out or other audited action. */
export const AUDIT_REASON_MAX_LENGTH = 512;
export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 100;
/** A server icon's bytes (as an avatar's). */
export const SERVER_ICON_MAX_BYTES = AVATAR_MAX_BYTES;
/** A ban's message purge reads the banned user's messages in pages of this many. */
export const BAN_DELETE_PAGE_SIZE = 200;
/** A ban's message deletion reads at most this many pages of the author's messages (all servers). */
export const BAN_DELETE_PAGES_MAX = 50;
/** Ids from URLs (users, servers) longer than this are unknown at once (no KV key that long). */
export const ID_INPUT_MAX = 64;

// Conversations (API.md "Conversations").
/** Distinct emoji on one message (Discord's limit). */
export const MESSAGE_REACTIONS_MAX = 20;
/** `GET …/reactions/:emoji`: users per page. */
export const REACTION_USERS_PAGE_DEFAULT = 25;
export const REACTION_USERS_PAGE_MAX = 100;
/** An emoji in a URL: no real emoji (the longest ZWJ sequences) comes near. */
export const EMOJI_INPUT_MAX = 64;
/** A reply's quoted preview: the original's first characters. */
export const REPLY_EXCERPT_MAX_LENGTH = 100;
/** Distinct `@username` tokens resolved per message (the rest stay plain text). */
export const MENTIONS_PER_MESSAGE_MAX = 50;
/** A custom emoji's image, raw bytes (API.md: 256 KiB → 413 above). */
export const CUSTOM_EMOJI_MAX_BYTES = 256 * 1024;
/** Custom emoji per server (Discord's base tier allows 50). */
export const CUSTOM_EMOJIS_PER_SERVER_MAX = 200;
/**
 * `resume` with `since`: changes are read from `since` minus this, so clock skew between
 * instances and the moments around the drop never lose one (a change sent twice is harmless).
 */
export const RESUME_SINCE_SLACK_MS = 5_000;
/** Changed messages sent per channel after a resume's replay; a client missing more reloads. */
export const RESUME_CHANGES_MAX = 500;
/**
 * How long the change log (store.changedSince) keeps an entry: a client away longer than this
 * reloads its page instead of converging by resume. Older entries may be pruned.
 */
export const MESSAGE_CHANGES_TTL_MS = 60 * 60_000;
/**
 * How often an instance forgets the permission snapshots of servers it has no socket in (an
 * HTTP-only use reads one again when next needed: five reads at most this often).
 */
export const ACCESS_SWEEP_MS = 10 * 60 * 1000;

/**
 * Rate limits in Redis (BUS=redis): a check waits at most this long for Redis before the limit
 * fails open or closed (lib/rate_limits/redis_rate_limiter.ts), so an outage never hangs a
 * request.
 */
export const RATE_LIMIT_REDIS_TIMEOUT_MS = 500;
/** While Redis is away, at most one warning about the rate limits per this interval. */
export const RATE_LIMIT_WARNING_INTERVAL_MS = 10_000;

/** Search (GET /api/search, lib/search/). */
/** Results per page: the default, and the most a `limit` may ask for (API.md "Precisions"). */
export const SEARCH_PAGE_DEFAULT = 25;
export const SEARCH_PAGE_MAX = 100;
/** The longest `q` accepted (characters). */
export const SEARCH_QUERY_MAX_LENGTH = 500;
/** Words, phrases and filters in one `q` (each costs the stores an index read). */
export const SEARCH_QUERY_PARTS_MAX = 16;
/** A search token longer than this is cut to it (in the index and in queries alike). */
export const SEARCH_TOKEN_MAX_LENGTH = 64;
/**
 * Distinct terms the Deno KV index keeps per message (the first ones; each is a key written in
 * the message's own commit, under KV's 1000 mutations and 80 KiB of keys per commit).
 */
export const SEARCH_TERMS_PER_MESSAGE_MAX = 200;

/** Blob storage (db/blob_store.ts: attachments, issue 16). */
/**
 * The piece size a blob is streamed in (file system reads, PostgreSQL rows): a file is never
 * held whole in memory, only a piece at a time.
 */
export const BLOB_CHUNK_BYTES = 256 * 1024;
/**
 * What the file-system blob store writes at a time (nothing of it is stored: any size reads
 * back the same): bigger writes than a PostgreSQL row, fewer of them for a large upload. Two
 * are held per upload (one written, one filled).
 */
export const BLOB_FS_WRITE_BYTES = 1024 * 1024;
/** A Deno KV chunk: under KV's 64 KiB value limit, with room for the key. */
export const BLOB_KV_CHUNK_BYTES = 60 * 1024;
/** KV chunks written per atomic commit (10 × 60 KiB, under KV's 800 KiB per commit). */
export const BLOB_KV_CHUNKS_PER_COMMIT = 10;
/**
 * An S3 multipart part: S3's smallest part (every part but the last must be at least 5 MiB),
 * so it is also what an upload to S3 holds in memory at once.
 */
export const BLOB_S3_PART_BYTES = 5 * 1024 * 1024;
/**
 * What the S3 store sends at a time of an upload whose length is known (a part is five of
 * them: it must divide BLOB_S3_PART_BYTES). Two or three are held per upload.
 */
export const BLOB_S3_WRITE_BYTES = 1024 * 1024;
/** A blob key: `[A-Za-z0-9/_.-]`, segments without `.` or `..`, at most this long. */
export const BLOB_KEY_MAX_LENGTH = 512;
/** One `/`-separated segment of a key: a file name on the file system (255 bytes at most). */
export const BLOB_KEY_SEGMENT_MAX_LENGTH = 200;
/** A blob's content type, as stored beside it. */
export const BLOB_CONTENT_TYPE_MAX_LENGTH = 255;
/** Keys one page of `BlobStore.list` reads from the backend. */
export const BLOB_LIST_PAGE = 1000;

// Attachments (issue 16, lib/attachments/).
/** `ATTACHMENT_MAX_BYTES` default: one upload's largest size (25 MiB), cut while it streams in. */
export const ATTACHMENT_MAX_BYTES_DEFAULT = 25 * 1024 * 1024;
/** `UPLOAD_QUOTA_BYTES` default: what one user's stored uploads may add up to (1 GiB). */
export const UPLOAD_QUOTA_BYTES_DEFAULT = 1024 * 1024 * 1024;
/** Attachments one message may carry. */
export const ATTACHMENTS_PER_MESSAGE_MAX = 10;
/** An upload no message names after this long is removed (the orphan sweep). */
export const ATTACHMENT_ORPHAN_AGE_MS = 24 * 60 * 60 * 1000;
/** How often the orphan sweep runs. */
export const ATTACHMENT_SWEEP_INTERVAL_MS = 15 * 60 * 1000;
/** Records one step of a sweep or cleanup reads. */
export const ATTACHMENT_SWEEP_BATCH = 100;
/** A file name, in characters (longer names are cut, keeping the extension). */
export const ATTACHMENT_FILENAME_MAX_LENGTH = 200;
/** The first bytes of an upload its type is read from. */
export const ATTACHMENT_SNIFF_BYTES = 4096;
/** The larger side of an image's thumbnail (WebP). */
export const ATTACHMENT_THUMBNAIL_MAX_PX = 400;
/** The larger side of the resize a thumbhash placeholder is computed from (thumbhash's maximum). */
export const ATTACHMENT_PLACEHOLDER_MAX_PX = 100;
/**
 * Pixels (width × height × frames) an image may decode to: beyond, a decompression bomb (a few KB
 * that would decode to gigabytes) is refused before any pixel is decoded (sharp's
 * `limitInputPixels`).
 */
export const ATTACHMENT_IMAGE_MAX_PIXELS = 100_000_000;
/** How long a signed file URL (`?exp=&sig=`) works. */
export const ATTACHMENT_SIGNED_URL_TTL_S = 60 * 60;

// Notifications and Web Push (issue 17, lib/notifications/).
/** Push subscriptions one user may have (browsers, devices); past it the oldest go. */
export const PUSH_SUBSCRIPTIONS_PER_USER_MAX = 10;
/** A subscription's endpoint URL, in characters. */
export const PUSH_ENDPOINT_MAX_LENGTH = 2048;
/** A push's JSON payload before encryption (one 4096-byte aes128gcm record holds 4079). */
export const PUSH_PAYLOAD_MAX_BYTES = 3072;
/** Characters of a message's text in its notification's body. */
export const PUSH_BODY_PREVIEW_MAX = 200;
/** Pushes in flight at once (per instance). */
export const PUSH_SEND_CONCURRENCY = 32;
/** One push request's limit, connection included. */
export const PUSH_SEND_TIMEOUT_MS = 10_000;
/** Pushes waiting to be sent; past it new ones are dropped (and logged). */
export const PUSH_QUEUE_MAX = 50_000;
/** How long a push service keeps a push for an offline browser (`TTL` header). */
export const PUSH_TTL_S = 24 * 60 * 60;
/** A VAPID JWT's lifetime (RFC 8292: at most 24 h)… */
export const PUSH_VAPID_JWT_TTL_S = 12 * 60 * 60;
/** …and how long one is reused for the same push service. */
export const PUSH_VAPID_JWT_REUSE_MS = 60 * 60 * 1000;
/** How long an endpoint host's DNS check holds at send time. */
export const PUSH_DNS_CACHE_MS = 60_000;
/** Message ids the notifier remembers, so one published to several targets notifies once. */
export const PUSH_RECENT_MESSAGES = 1000;
/**
 * How long after a message went out its pushes start: the live fan-out's writes (tens of ms for
 * 500 sockets on a loaded 2-core machine) get the CPU first; bench/push_fanout.ts measured live
 * p99 ×1.6 on PostgreSQL when the pushes started at once.
 */
export const PUSH_START_DELAY_MS = 50;

/** People in a group DM, its creator included (API.md "Direct messages": 2–9 ids plus the caller). */
export const GROUP_DM_MEMBERS_MAX = 10;
/** Ids a `POST /api/dms` may name: one (a DM) or up to this many (a group DM). */
export const DM_RECIPIENTS_MAX = GROUP_DM_MEMBERS_MAX - 1;
/** A group DM's name, in characters (Discord's limit). */
export const GROUP_DM_NAME_MAX_LENGTH = 100;
