/**
 * Turns a thrown domain error into what a form page shows: a message next to the field it names,
 * or one for the whole form, and the status to answer with. Anything else is re-thrown.
 */
import type { Context } from "hono";
import { Conflict, HttpError, Invalid, RateLimited } from "../lib/errors.ts";

export interface FormErrors {
  status: 400 | 401 | 409 | 413 | 415 | 429;
  fields: Record<string, string>;
  form?: string;
}

export function formErrors(c: Context, error: unknown): FormErrors {
  if ((error instanceof Invalid || error instanceof Conflict) && error.field) {
    return { status: error.status as 400 | 409, fields: { [error.field]: error.message } };
  }
  if (error instanceof RateLimited) {
    c.header("Retry-After", String(error.retryAfterSeconds));
  }
  if (error instanceof HttpError && error.status !== 403 && error.status !== 404) {
    return { status: error.status as FormErrors["status"], fields: {}, form: error.message };
  }
  throw error;
}

/**
 * Runs every field check and gathers all their messages, so a form shows each problem at once
 * instead of one per submit. The service checks again; this is only for the form's answer.
 */
export function checkFields(checks: (() => unknown)[]): FormErrors | null {
  const fields: Record<string, string> = {};
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof Invalid) || !error.field) throw error;
      fields[error.field] ??= error.message;
    }
  }
  return Object.keys(fields).length > 0 ? { status: 400, fields } : null;
}
