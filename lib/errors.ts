/**
 * Domain errors. Services throw them; one `onError` handler (routes/error_handler.tsx) turns each
 * into the `{"error": {code, message}}` body of the API contract with its status code.
 *
 * Every constructor takes the code first, then the message (then the form field, for 400 and
 * 409): the code is an `ErrorCode`, so swapping the two does not compile.
 */
import type { ErrorCode } from "./error_codes.ts";

export type { ErrorCode } from "./error_codes.ts";

/** An error that maps to one HTTP status and a stable snake_case `code`. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the input breaks a rule. `field` names the form field it belongs to, if any. */
export class Invalid extends HttpError {
  constructor(code: ErrorCode, message: string, readonly field?: string) {
    super(400, code, message);
  }
}

/** 401: no valid session, or wrong credentials. */
export class Unauthorized extends HttpError {
  constructor(code: ErrorCode = "unauthorized", message = "You need to log in.") {
    super(401, code, message);
  }
}

/** 403: logged in (or not), but not allowed to do this. */
export class Forbidden extends HttpError {
  constructor(code: ErrorCode = "forbidden", message = "You are not allowed to do this.") {
    super(403, code, message);
  }
}

/** 404: missing, or not visible to the caller. */
export class NotFound extends HttpError {
  constructor(code: ErrorCode = "not_found", message = "Not found.") {
    super(404, code, message);
  }
}

/** 409: the request conflicts with stored state (a taken username). */
export class Conflict extends HttpError {
  constructor(code: ErrorCode, message: string, readonly field?: string) {
    super(409, code, message);
  }
}

/** 413: the body is over its size limit. */
export class PayloadTooLarge extends HttpError {
  constructor(limitBytes: number) {
    super(413, "payload_too_large", `The request body must be at most ${limitBytes} bytes.`);
  }
}

/** 415: the body's Content-Type is not one this route accepts. */
export class UnsupportedMediaType extends HttpError {
  constructor(expected: string, actual: string | undefined) {
    super(
      415,
      "unsupported_media_type",
      `Content-Type must be ${expected}: got ${actual ? `"${actual}"` : "none"}.`,
    );
  }
}

/** 429: too many attempts; retry after `retryAfterSeconds`. */
export class RateLimited extends HttpError {
  constructor(readonly retryAfterSeconds: number, message = "Too many attempts.") {
    super(429, "rate_limited", `${message} Try again in ${retryAfterSeconds} s.`);
  }
}
