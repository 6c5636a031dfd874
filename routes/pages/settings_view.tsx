/**
 * Shows the settings page for a request: loads what every section lists (sessions, two-factor
 * state) and renders it with what this request adds (a notice, or one form's errors). The page
 * routes of each section (profile_page.tsx, settings_page.tsx) answer through it.
 */
import type { Context } from "hono";
import { SettingsPage } from "../../components/settings/SettingsPage.tsx";
import type { SettingsPageProps } from "../../components/settings/SettingsPage.tsx";
import type { TwoFactorStep } from "../../components/settings/TwoFactorSection.tsx";
import { HttpError } from "../../lib/errors.ts";
import { toPublicUser } from "../../lib/public_user.ts";
import { formErrors } from "../form_errors.ts";
import type { FormErrors } from "../form_errors.ts";
import type { AppDeps } from "../deps.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { renderPage } from "../render_page.tsx";

/** Where the page lives: the user panel's `Settings` and older bookmarks of the profile. */
export const SETTINGS_PATH = "/profile";

/** Where a saved form sends the browser back to: the page with its notice. */
export function savedUrl(what: string): string {
  return `${SETTINGS_PATH}?saved=${what}`;
}

/** What one request adds to the stored state it shows. */
export type SettingsAnswer =
  & Pick<SettingsPageProps, "notice" | "failed" | "profileDraft" | "emailDraft">
  & {
    /** A step of two-factor set-up that only this answer shows (the key, the recovery codes). */
    twoFactor?: TwoFactorStep;
  };

/** Renders the settings page for the signed-in caller with `status`. */
export async function showSettings(
  c: Context<SignedInEnv>,
  { accounts, config }: Pick<AppDeps, "accounts" | "config">,
  answer: SettingsAnswer = {},
  status: 200 | FormErrors["status"] = 200,
): Promise<Response> {
  const auth = c.get("auth");
  const [sessions, twoFactorOn] = await Promise.all([
    accounts.listSessions(auth),
    accounts.isTwoFactorEnabled(auth),
  ]);
  const twoFactor = answer.twoFactor ?? { step: twoFactorOn ? "on" : "off" };
  const body = (
    <SettingsPage
      user={toPublicUser(auth.user)}
      sessions={sessions}
      twoFactor={twoFactor}
      email={auth.user.email ?? null}
      mailEnabled={config.smtpUrl !== undefined}
      notice={answer.notice}
      failed={answer.failed}
      profileDraft={answer.profileDraft}
      emailDraft={answer.emailDraft}
      admin={accounts.admin.isAdmin(auth.user)}
    />
  );
  return c.html(renderPage({ title: "Settings", body }), status);
}

/** How a form's fields are named where the service's names differ. */
export interface FieldNames {
  /** The form field a wrong or missing password belongs to (`invalid_credentials`). */
  invalid_credentials?: string;
  /** The form field a wrong code belongs to (`invalid_code`). */
  invalid_code?: string;
  /** Service field name → form field name (the service says `password` for a new one). */
  fields?: Record<string, string>;
}

/**
 * Like `formErrors`, with the message put next to the field of this form it is about: the
 * services name fields as the JSON API does, and a refused password or code names none.
 */
export function settingsFormErrors(c: Context, error: unknown, names: FieldNames): FormErrors {
  if (error instanceof HttpError && (error.status === 400 || error.status === 401)) {
    const field = error.code === "invalid_credentials"
      ? names.invalid_credentials
      : error.code === "invalid_code"
      ? names.invalid_code
      : undefined;
    if (field) return { status: error.status, fields: { [field]: error.message } };
  }
  const errors = formErrors(c, error);
  const fields: Record<string, string> = {};
  for (const [name, message] of Object.entries(errors.fields)) {
    fields[names.fields?.[name] ?? name] = message;
  }
  return { ...errors, fields };
}
