/**
 * The login and register pages: real HTML forms that work without JavaScript. Errors are shown
 * next to their field and the typed username is kept; success sets the session cookie and
 * redirects (303) to the chat, or to `next`: the page that sent the visitor here (an invite,
 * say), kept through the links between the two pages and through refused forms, and followed
 * only if it is a path on this site. Under `REGISTRATION=invite` the register form asks for the
 * invite code (filled in from an invite's `next`); under `closed` it says registration is closed.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { AuthLayout, FormAlert } from "../../components/AuthLayout.tsx";
import { SubmitButton } from "../../components/Button.tsx";
import { TextField } from "../../components/TextField.tsx";
import {
  DISPLAY_NAME_MAX_LENGTH,
  FORM_BODY_MAX_BYTES,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
} from "../../lib/limits.ts";
import type { AppEnv } from "../app_env.ts";
import { clientInfo, clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { Forbidden, HttpError } from "../../lib/errors.ts";
import type { RegistrationMode } from "../../lib/config.ts";
import { inviteCodeFromNext, invitePath } from "../invite_next.ts";
import { checkFields, formErrors } from "../form_errors.ts";
import { checkPassword, cleanDisplayName, normalizeUsername } from "../../lib/text.ts";
import type { FormErrors } from "../form_errors.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { readForm, textField } from "../read_form.ts";
import { safeNext } from "../safe_next.ts";
import { renderPage } from "../render_page.tsx";
import { clearSessionCookie, setSessionCookie } from "../session_cookie.ts";

interface AuthFormProps {
  username?: string;
  displayName?: string;
  next?: string;
  errors?: FormErrors;
  /** Offer "Forgot password?" (resets by e-mail are on: `SMTP_URL`). */
  forgotPassword?: boolean;
  /** The account has two-factor sign-in: ask for the code with the password. */
  askCode?: boolean;
  /** Who may create an account (`REGISTRATION`). */
  registration?: RegistrationMode;
  /** Under `invite`: the code typed, or the one of the invite the visitor came from. */
  inviteCode?: string;
}

/** Login answers that mean "send this again with a two-factor code". */
const CODE_ERRORS = new Set(["totp_required", "invalid_code"]);

const NO_ERRORS: FormErrors = { status: 400, fields: {} };

/** `path`, carrying `next` along when there is one. */
const withNext = (path: string, next?: string) =>
  next ? `${path}?next=${encodeURIComponent(next)}` : path;

/** The request's `next` if it is a path on this site (anything else is dropped). */
const nextOf = (c: Context<AppEnv>) => safeNext(c.req.query("next"), "") || undefined;

function LoginPage(
  {
    username = "",
    next,
    errors = NO_ERRORS,
    forgotPassword = false,
    askCode = false,
    registration = "open",
  }: AuthFormProps,
) {
  return (
    <AuthLayout
      title="Welcome back"
      subtitle="Log in to pick up the conversation."
      footer={registration === "closed" ? null : (
        <>
          New to Salon?{" "}
          <a
            href={withNext("/register", next)}
            class="font-semibold text-brand-600 hover:underline dark:text-brand-100"
          >
            Create an account
          </a>
        </>
      )}
    >
      <FormAlert message={errors.form} />
      <form method="post" action={withNext("/login", next)} class="space-y-4" noValidate>
        <TextField
          name="username"
          label="Username"
          value={username}
          autocomplete="username"
          required
          autofocus={!username}
          spellcheck={false}
          error={errors.fields.username}
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          autofocus={!!username}
          error={errors.fields.password}
        />
        {askCode && (
          <TextField
            name="code"
            label="Two-factor code"
            autocomplete="one-time-code"
            spellcheck={false}
            hint="The 6 digits from your authenticator app, or one of your recovery codes."
          />
        )}
        {forgotPassword && (
          <p class="text-right text-sm">
            <a
              href="/forgot-password"
              class="font-semibold text-brand-600 hover:underline dark:text-brand-100"
            >
              Forgot password?
            </a>
          </p>
        )}
        <SubmitButton full>Log in</SubmitButton>
      </form>
    </AuthLayout>
  );
}

/** The subtitle of the register form under each REGISTRATION mode that takes accounts. */
const REGISTER_SUBTITLES = {
  open: "Join servers, talk in channels, in real time.",
  invite: "Registration here is by invitation: you need the invite code a member gave you.",
};

function RegisterPage(
  { username = "", displayName = "", next, errors = NO_ERRORS, registration = "open", inviteCode }:
    AuthFormProps,
) {
  if (registration === "closed") return <RegistrationClosed next={next} />;
  return (
    <AuthLayout
      title="Create your account"
      subtitle={REGISTER_SUBTITLES[registration]}
      footer={
        <>
          Already have an account?{" "}
          <a
            href={withNext("/login", next)}
            class="font-semibold text-brand-600 hover:underline dark:text-brand-100"
          >
            Log in
          </a>
        </>
      }
    >
      <FormAlert message={errors.form} />
      <form method="post" action={withNext("/register", next)} class="space-y-4" noValidate>
        {registration === "invite" && (
          <TextField
            name="inviteCode"
            label="Invite code"
            value={inviteCode ?? ""}
            required
            spellcheck={false}
            hint="The end of your invite link: /invite/<code>."
            error={errors.fields.inviteCode}
          />
        )}
        <TextField
          name="username"
          label="Username"
          value={username}
          autocomplete="username"
          required
          autofocus
          spellcheck={false}
          minLength={USERNAME_MIN_LENGTH}
          maxLength={USERNAME_MAX_LENGTH}
          hint={`${USERNAME_MIN_LENGTH}–${USERNAME_MAX_LENGTH} characters: letters, digits, "_", "." or "-".`}
          error={errors.fields.username}
        />
        <TextField
          name="displayName"
          label="Display name (optional)"
          value={displayName}
          autocomplete="nickname"
          maxLength={DISPLAY_NAME_MAX_LENGTH}
          hint="How others see you. Defaults to your username."
          error={errors.fields.displayName}
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          required
          minLength={PASSWORD_MIN_LENGTH}
          maxLength={PASSWORD_MAX_LENGTH}
          hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
          error={errors.fields.password}
        />
        <SubmitButton full>Create account</SubmitButton>
      </form>
    </AuthLayout>
  );
}

/** `REGISTRATION=closed`: no form, only the way to log in. */
function RegistrationClosed({ next }: { next?: string }) {
  return (
    <AuthLayout
      title="Registration is closed"
      subtitle="This server does not take new accounts. If you already have one, log in."
      footer={
        <a
          href={withNext("/login", next)}
          class="font-semibold text-brand-600 hover:underline dark:text-brand-100"
        >
          Log in
        </a>
      }
    >
      {null}
    </AuthLayout>
  );
}

export function authPages({ accounts, config }: AppDeps) {
  const app = new Hono<AppEnv>();
  const signedIn = (c: Context<AppEnv>) => c.get("auth") !== null;
  const forgotPassword = accounts.resets.byEmail;
  const { registration } = config;

  app.get("/login", (c) => {
    const next = nextOf(c);
    if (signedIn(c)) return c.redirect(safeNext(next), 303);
    return c.html(
      renderPage({
        title: "Log in",
        body: <LoginPage next={next} forgotPassword={forgotPassword} registration={registration} />,
      }),
    );
  });

  app.post("/login", limitBody(FORM_BODY_MAX_BYTES), async (c) => {
    const form = await readForm(c);
    const username = textField(form, "username") ?? "";
    const next = nextOf(c);
    try {
      const result = await accounts.login(
        {
          username,
          password: textField(form, "password"),
          code: textField(form, "code") || undefined,
        },
        clientInfo(c),
      );
      setSessionCookie(c, result.token, result.expiresAt, config.origin);
      return c.redirect(safeNext(next), 303);
    } catch (error) {
      const errors = formErrors(c, error);
      return c.html(
        renderPage({
          title: "Log in",
          body: (
            <LoginPage
              username={username}
              next={next}
              errors={errors}
              forgotPassword={forgotPassword}
              registration={registration}
              askCode={error instanceof HttpError && CODE_ERRORS.has(error.code)}
            />
          ),
        }),
        errors.status,
      );
    }
  });

  app.get("/register", (c) => {
    const next = nextOf(c);
    if (signedIn(c)) return c.redirect(safeNext(next), 303);
    return c.html(renderPage({
      title: "Create account",
      body: (
        <RegisterPage
          next={next}
          registration={registration}
          inviteCode={inviteCodeFromNext(next)}
        />
      ),
    }));
  });

  app.post("/register", limitBody(FORM_BODY_MAX_BYTES), async (c) => {
    const form = await readForm(c);
    const next = nextOf(c);
    const input = {
      username: textField(form, "username") ?? "",
      displayName: textField(form, "displayName") ?? "",
      password: textField(form, "password"),
      inviteCode: registration === "invite" ? textField(form, "inviteCode")?.trim() : undefined,
    };
    const show = (errors: FormErrors | { status: 403 }) =>
      c.html(
        renderPage({
          title: "Create account",
          body: (
            <RegisterPage
              username={input.username}
              displayName={input.displayName}
              next={next}
              errors={"fields" in errors ? errors : NO_ERRORS}
              registration={registration}
              inviteCode={input.inviteCode}
            />
          ),
        }),
        errors.status,
      );
    // Closed, the service refuses (and logs the attempt) before looking at any field.
    const invalid = registration === "closed" ? null : checkFields([
      () => normalizeUsername(input.username),
      () => input.displayName && cleanDisplayName(input.displayName),
      () => checkPassword(input.password),
    ]);
    if (invalid) return show(invalid);
    try {
      const result = await accounts.register(input, clientInfo(c));
      setSessionCookie(c, result.token, result.expiresAt, config.origin);
      // Registering with an invite joined its server: its page would only offer to join again.
      const joined = input.inviteCode !== undefined && next === invitePath(input.inviteCode);
      return c.redirect(joined ? "/chat" : safeNext(next), 303);
    } catch (error) {
      if (error instanceof Forbidden && error.code === "registration_closed") {
        return show({ status: 403 });
      }
      return show(formErrors(c, error));
    }
  });

  app.post("/logout", async (c) => {
    const auth = c.get("auth");
    if (auth) await accounts.logout(auth.sessionId, clientIp(c));
    clearSessionCookie(c, config.origin);
    return c.redirect("/login", 303);
  });

  return app;
}
