/**
 * The settings page's account forms under /settings/...: password change, sessions, two-factor
 * authentication, the e-mail for password resets and account deletion. Plain form posts that
 * call the AccountService methods the JSON API calls, then redirect back with a notice or show
 * the page again with the errors next to their fields (the page itself is shown at
 * SETTINGS_PATH, see profile_page.tsx).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { FORM_BODY_MAX_BYTES } from "../../lib/limits.ts";
import { clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { readForm, textField } from "../read_form.ts";
import type { FormBody } from "../read_form.ts";
import { clearSessionCookie } from "../session_cookie.ts";
import type { SettingsForm } from "../../components/settings/SettingsPage.tsx";
import { savedUrl, SETTINGS_PATH, settingsFormErrors, showSettings } from "./settings_view.tsx";
import type { FieldNames } from "./settings_view.tsx";

/** The /settings/... form routes (and /settings itself, which leads to the page). */
export function settingsPage(deps: AppDeps) {
  const { accounts, config } = deps;
  const app = new Hono<SignedInEnv>();
  app.get("/settings", (c) => c.redirect(SETTINGS_PATH));
  app.use("/settings/*", requireSignIn(), limitBody(FORM_BODY_MAX_BYTES));

  /** Runs a form's action; a refusal shows the page again with `form`'s errors. */
  const handle = (
    form: Exclude<SettingsForm, "profile" | "avatar" | "email">,
    names: FieldNames,
    action: (c: Context<SignedInEnv>, body: FormBody) => Promise<Response>,
  ) =>
  async (c: Context<SignedInEnv>) => {
    try {
      return await action(c, await readForm(c));
    } catch (error) {
      const errors = settingsFormErrors(c, error, names);
      return await showSettings(c, deps, { failed: { form, errors } }, errors.status);
    }
  };

  app.post(
    "/settings/password",
    handle(
      "password",
      { invalid_credentials: "currentPassword", fields: { password: "newPassword" } },
      async (c, body) => {
        await accounts.changePassword(c.get("auth"), {
          currentPassword: textField(body, "currentPassword"),
          newPassword: textField(body, "newPassword"),
        }, clientIp(c));
        return c.redirect(savedUrl("password"), 303);
      },
    ),
  );

  app.post(
    "/settings/sessions/revoke",
    handle("sessions", {}, async (c, body) => {
      const auth = c.get("auth");
      const sessionId = textField(body, "sessionId") ?? "";
      await accounts.revokeSession(auth, sessionId, clientIp(c));
      // Ending one's own session here is logging out.
      if (sessionId !== auth.sessionId) return c.redirect(savedUrl("session"), 303);
      clearSessionCookie(c, config.origin);
      return c.redirect("/login", 303);
    }),
  );

  app.post(
    "/settings/sessions/revoke-others",
    handle("sessions", {}, async (c) => {
      await accounts.revokeOtherSessions(c.get("auth"), clientIp(c));
      return c.redirect(savedUrl("sessions"), 303);
    }),
  );

  app.post("/settings/email", async (c) => {
    let email: string | undefined;
    try {
      const body = await readForm(c);
      email = textField(body, "email");
      const currentPassword = textField(body, "emailPassword");
      await accounts.setEmail(
        c.get("auth"),
        { email: email ?? null, currentPassword },
        clientIp(c),
      );
      return c.redirect(savedUrl("email"), 303);
    } catch (error) {
      const errors = settingsFormErrors(c, error, { invalid_credentials: "emailPassword" });
      const answer = { failed: { form: "email" as const, errors }, emailDraft: email };
      return await showSettings(c, deps, answer, errors.status);
    }
  });

  app.post(
    "/settings/delete",
    handle("delete", { invalid_credentials: "deletePassword" }, async (c, body) => {
      const password = textField(body, "deletePassword");
      await accounts.deleteAccount(c.get("auth"), { password }, clientIp(c));
      clearSessionCookie(c, config.origin);
      return c.redirect("/login", 303);
    }),
  );

  app.post(
    "/settings/two-factor",
    handle("twoFactor", {}, async (c) => {
      const enrolment = await accounts.startTwoFactor(c.get("auth"));
      return await showSettings(c, deps, { twoFactor: { step: "enrolling", enrolment } });
    }),
  );

  app.post("/settings/two-factor/confirm", async (c) => {
    let body: FormBody = {};
    try {
      body = await readForm(c);
      const code = textField(body, "totpCode");
      const recoveryCodes = await accounts.confirmTwoFactor(c.get("auth"), { code }, clientIp(c));
      return await showSettings(c, deps, {
        notice: "Two-factor authentication is on.",
        twoFactor: { step: "enabled", recoveryCodes },
      });
    } catch (error) {
      const errors = settingsFormErrors(c, error, { fields: { code: "totpCode" } });
      const secret = textField(body, "secret");
      const otpauthUrl = textField(body, "otpauthUrl");
      // A wrong code: the same key again, to try once more (a 409 means start over).
      const twoFactor = errors.status === 400 && secret && otpauthUrl
        ? { step: "enrolling" as const, enrolment: { secret, otpauthUrl } }
        : undefined;
      const failed = { form: "twoFactor" as const, errors };
      return await showSettings(c, deps, { failed, twoFactor }, errors.status);
    }
  });

  app.post(
    "/settings/two-factor/disable",
    handle(
      "twoFactor",
      { invalid_credentials: "disablePassword", invalid_code: "disableCode" },
      async (c, body) => {
        await accounts.disableTwoFactor(c.get("auth"), {
          password: textField(body, "disablePassword"),
          code: textField(body, "disableCode"),
        }, clientIp(c));
        return c.redirect(savedUrl("two-factor-off"), 303);
      },
    ),
  );

  return app;
}
