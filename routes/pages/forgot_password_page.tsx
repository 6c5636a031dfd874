/**
 * "Forgot password?" (`/forgot-password`, only with `SMTP_URL` set): a plain HTML form taking a
 * username; a reset link is mailed to the address on file of that account, if it has one. The
 * answer is the same page whether or not the account exists or has an address.
 */
import { Hono } from "hono";
import { AuthLayout, FormAlert } from "../../components/AuthLayout.tsx";
import { SubmitButton } from "../../components/Button.tsx";
import { TextField } from "../../components/TextField.tsx";
import { NotFound } from "../../lib/errors.ts";
import { FORM_BODY_MAX_BYTES, USERNAME_MAX_LENGTH } from "../../lib/limits.ts";
import type { AppEnv } from "../app_env.ts";
import { clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { formErrors } from "../form_errors.ts";
import type { FormErrors } from "../form_errors.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { readForm, textField } from "../read_form.ts";
import { renderPage } from "../render_page.tsx";
import { linkOrigin } from "../middleware/same_origin.ts";

const LINK_CLASS = "font-semibold text-brand-600 hover:underline dark:text-brand-100";
const BACK = <a href="/login" class={LINK_CLASS}>Back to log in</a>;

function RequestForm({ username = "", errors }: { username?: string; errors?: FormErrors }) {
  return (
    <AuthLayout
      title="Forgot your password?"
      subtitle="We will e-mail a reset link to the address on file for your account."
      footer={BACK}
    >
      <FormAlert message={errors?.form} />
      <form method="post" action="/forgot-password" class="space-y-4" noValidate>
        <TextField
          name="username"
          label="Username"
          value={username}
          autocomplete="username"
          required
          autofocus
          spellcheck={false}
          maxLength={USERNAME_MAX_LENGTH}
          error={errors?.fields.username}
        />
        <SubmitButton full>Send reset link</SubmitButton>
      </form>
    </AuthLayout>
  );
}

function Sent() {
  return (
    <AuthLayout
      title="Check your e-mail"
      subtitle="If that account has an e-mail address on file, a reset link is on its way. It works once, within an hour."
      footer={BACK}
    >
      {null}
    </AuthLayout>
  );
}

export function forgotPasswordPage({ accounts, config }: AppDeps) {
  const { resets } = accounts;
  const app = new Hono<AppEnv>();
  app.use("/forgot-password", async (_c, next) => {
    if (!resets.byEmail) throw new NotFound("not_found", "Password resets by e-mail are off here.");
    await next();
  });

  app.get(
    "/forgot-password",
    (c) => c.html(renderPage({ title: "Forgot password", body: <RequestForm /> })),
  );

  app.post("/forgot-password", limitBody(FORM_BODY_MAX_BYTES), async (c) => {
    const form = await readForm(c);
    const username = textField(form, "username") ?? "";
    try {
      await resets.request(username, linkOrigin(c.req.url, config), clientIp(c));
    } catch (error) {
      const errors = formErrors(c, error);
      return c.html(
        renderPage({
          title: "Forgot password",
          body: <RequestForm username={username} errors={errors} />,
        }),
        errors.status,
      );
    }
    return c.html(renderPage({ title: "Check your e-mail", body: <Sent /> }));
  });

  return app;
}
