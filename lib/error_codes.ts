/**
 * Every error `code` Salon answers with, listed once (API.md "Errors" and README's list of codes
 * beyond the contract's examples). Error constructors take an `ErrorCode`, so a code misspelt or
 * swapped with its message does not compile.
 */
export const ERROR_CODES = [
  // 400: input that breaks a rule.
  "invalid_json",
  "invalid_username",
  "invalid_password",
  "weak_password",
  "invite_invalid",
  "invalid_credentials",
  "invalid_display_name",
  "invalid_bio",
  "invalid_image",
  "image_too_large",
  "invalid_server_name",
  "invalid_channel_name",
  "invalid_content",
  "empty_content",
  "content_too_long",
  "invalid_nonce",
  "invalid_cursor",
  "invalid_limit",
  "invalid_seq",
  "invalid_email",
  "invalid_suspended",
  // 400 (a malformed code) and 401 (a wrong one): two-factor authentication.
  "invalid_code",
  // 401, 403: who may do what.
  "unauthorized",
  "forbidden",
  "cross_origin_request",
  "not_owner",
  "not_author",
  "not_allowed",
  "owner_cannot_leave",
  "registration_closed",
  "suspended",
  "totp_required",
  // 404, 409, 413, 415, 426, 429.
  "not_found",
  "reset_link_invalid",
  "invalid_invite",
  "username_taken",
  "owns_servers",
  "channel_exists",
  "totp_already_enabled",
  "totp_not_enabled",
  "totp_not_pending",
  "payload_too_large",
  "unsupported_media_type",
  "upgrade_required",
  "rate_limited",
  // 500, 503: our side.
  "internal_error",
  "unavailable",
  // WebSocket `error` frames only.
  "invalid_frame",
  "unknown_type",
  "binary_not_supported",
  "already_authenticated",
  "session_ended",
] as const;

/** One of ERROR_CODES. */
export type ErrorCode = typeof ERROR_CODES[number];
