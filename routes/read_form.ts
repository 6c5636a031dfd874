/**
 * Reads an HTML form body (urlencoded or multipart): 415 for anything else. Field values that
 * are not what a field should be (a file where text belongs) come back as undefined.
 */
import type { Context } from "hono";
import { UnsupportedMediaType } from "../lib/errors.ts";

export type FormBody = Record<string, string | File | undefined>;

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

export async function readForm(c: Context): Promise<FormBody> {
  const type = c.req.header("Content-Type");
  if (!type || !FORM_TYPES.test(type)) {
    throw new UnsupportedMediaType(
      "application/x-www-form-urlencoded or multipart/form-data",
      type,
    );
  }
  return await c.req.parseBody() as FormBody;
}

/** A text field's value, or undefined if absent or not text. */
export function textField(form: FormBody, name: string): string | undefined {
  const value = form[name];
  return typeof value === "string" ? value : undefined;
}
