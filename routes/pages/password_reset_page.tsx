/**
 * The page a password reset link opens (`/password-reset/<token>`,
 * lib/accounts/password_reset.ts): a plain HTML form for the new password that works without
 * JavaScript. A refused password is shown next to the field and leaves the link usable; success
 * ends every session of the user (this browser's too) and points to the login page. A used,
 * expired or unknown link gets a page that says so, and how to get another.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { AuthLayout, FormAlert } from "../../components/AuthLayout.tsx";
import { SubmitButton } from "../../components/Button.tsx";
import { TextField } from "../../components/TextField.tsx";
import { NotFound } from "../../lib/errors.ts";
import { FORM_BODY_MAX_BYTES, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../lib/limits.ts";
import { resetPath } from "../../lib/accounts/password_reset.ts";
import type { AppEnv } from "../app_env.ts";
import { clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { formErrors } from "../form_errors.ts";
import type { FormErrors } from "../form_errors.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { readForm, textField } from "../read_form.ts";
import { renderPage } from "../render_page.tsx";
import { clearSessionCookie } from "../session_cookie.ts";

const LINK_CLASS = "font-semibold text-brand-600 hover:underline dark:text-brand-100";

function ResetForm(
  { token, username, errors }: { token: string; username: string; errors?: FormErrors },
) {
  return (
    <AuthLayout
      title="Choose a new password"
      subtitle={`For the account "${username}".`}
      footer={<a href="/login" class={LINK_CLASS}>Back to log in</a>}
    >
      <FormAlert message={errors?.form} />
      <form method="post" action={resetPath(token)} class="space-y-4" noValidate>
        {/* Lets password managers file the new password under the right account. */}
        <input type="hidden" name="username" value={username} autocomplete="username" />
        <TextField
          name="password"
          label="New password"
          type="password"
          autocomplete="new-password"
          required
          autofocus
          minLength={PASSWORD_MIN_LENGTH}
          maxLength={PASSWORD_MAX_LENGTH}
          hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
          error={errors?.fields.password}
        />
        <SubmitButton full>Set new password</SubmitButton>
      </form>
    </AuthLayout>
  );
}

function Notice({ title, text }: { title: string; text: string }) {
  return (
    <AuthLayout
      title={title}
      subtitle={text}
      footer={<a href="/login" class={LINK_CLASS}>Go to log in</a>}
    >
      {null}
    </AuthLayout>
  );
}

/** The page for a link that cannot be used, with the status of the error. */
function invalidLinkPage(c: Context<AppEnv>, error: NotFound) {
  return c.html(
    renderPage({
      title: "Reset link not valid",
      body: <Notice title="This link cannot be used" text={error.message} />,
    }),
    404,
  );
}

export function passwordResetPage({ accounts, config }: AppDeps) {
  const { resets } = accounts;
  const app = new Hono<AppEnv>();
  // The URL holds the token: never keep the page in a cache.
  app.use("/password-reset/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });

  app.get("/password-reset/:token", async (c) => {
    const token = c.req.param("token");
    try {
      const { user } = await resets.check(token);
      return c.html(
        renderPage({
          title: "Reset password",
          body: <ResetForm token={token} username={user.username} />,
        }),
      );
    } catch (error) {
      if (error instanceof NotFound) return invalidLinkPage(c, error);
      throw error;
    }
  });

  app.post("/password-reset/:token", limitBody(FORM_BODY_MAX_BYTES), async (c) => {
    const token = c.req.param("token");
    const form = await readForm(c);
    let userId: string;
    try {
      ({ id: userId } = await resets.complete(token, textField(form, "password"), clientIp(c)));
    } catch (error) {
      if (error instanceof NotFound) return invalidLinkPage(c, error);
      const errors = formErrors(c, error);
      const { user } = await resets.check(token);
      return c.html(
        renderPage({
          title: "Reset password",
          body: <ResetForm token={token} username={user.username} errors={errors} />,
        }),
        errors.status,
      );
    }
    // Every session of the user ended, this browser's included (someone else's stays).
    if (c.get("auth")?.user.id === userId) clearSessionCookie(c, config.origin);
    return c.html(
      renderPage({
        title: "Password changed",
        body: (
          <Notice
            title="Your password was changed"
            text="Every session of your account was logged out. Log in with the new password."
          />
        ),
      }),
    );
  });

  return app;
}
