/**
 * Two-factor authentication without JavaScript: set up shows the secret and its otpauth URL as
 * text (to type or paste into an authenticator app) and a code field to confirm it; the
 * confirmation shows the recovery codes, once; turning it off takes the password and a code.
 */
import { SubmitButton } from "../Button.tsx";
import { FormAlert } from "../AuthLayout.tsx";
import { TextField } from "../TextField.tsx";
import type { TotpEnrolment } from "../../lib/accounts/two_factor_service.ts";
import type { FormErrors } from "../../routes/form_errors.ts";
import { SectionText, SettingsCard } from "./SettingsCard.tsx";

/** Where the user is with two-factor authentication, as this page shows it. */
export type TwoFactorStep =
  | { step: "off" }
  | { step: "enrolling"; enrolment: TotpEnrolment }
  | { step: "enabled"; recoveryCodes: string[] }
  | { step: "on" };

const CODE_BOX =
  "block break-all rounded-lg bg-slate-100 px-3 py-2 font-mono text-sm dark:bg-slate-800";

function SetUpForm() {
  return (
    <form method="post" action="/settings/two-factor">
      <SubmitButton variant="secondary">Set up two-factor authentication</SubmitButton>
    </form>
  );
}

function ConfirmForm({ enrolment, errors }: { enrolment: TotpEnrolment; errors?: FormErrors }) {
  return (
    <div class="space-y-4">
      <p class="text-sm">
        Add this key to your authenticator app (type it in, or paste the URL), then enter the code
        the app shows.
      </p>
      <div class="space-y-1">
        <p class="text-sm font-medium">Key</p>
        <code class={CODE_BOX} data-testid="totp-secret">{enrolment.secret}</code>
      </div>
      <div class="space-y-1">
        <p class="text-sm font-medium">URL</p>
        <code class={CODE_BOX}>{enrolment.otpauthUrl}</code>
      </div>
      <form method="post" action="/settings/two-factor/confirm" class="space-y-4">
        {/* Sent back only to show them again if the code is refused; the service keeps its own. */}
        <input type="hidden" name="secret" value={enrolment.secret} />
        <input type="hidden" name="otpauthUrl" value={enrolment.otpauthUrl} />
        <TextField
          name="totpCode"
          label="Code from your authenticator app"
          autocomplete="one-time-code"
          required
          autofocus
          error={errors?.fields.totpCode}
        />
        <SubmitButton>Turn on two-factor authentication</SubmitButton>
      </form>
    </div>
  );
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div class="mb-6 space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950">
      <p class="text-sm font-semibold">
        Your recovery codes: save them now, they are not shown again. Each one signs you in once
        without your app.
      </p>
      <ul aria-label="Recovery codes" class="grid gap-1 font-mono text-sm sm:grid-cols-2">
        {codes.map((code) => <li key={code}>{code}</li>)}
      </ul>
    </div>
  );
}

function DisableForm({ errors }: { errors?: FormErrors }) {
  const fields = errors?.fields ?? {};
  return (
    <form method="post" action="/settings/two-factor/disable" class="space-y-4">
      <TextField
        name="disablePassword"
        type="password"
        label="Password to turn off two-factor"
        autocomplete="current-password"
        required
        autofocus={fields.disablePassword !== undefined}
        error={fields.disablePassword}
      />
      <TextField
        name="disableCode"
        label="Code from your app, or a recovery code"
        autocomplete="one-time-code"
        required
        autofocus={fields.disablePassword === undefined && fields.disableCode !== undefined}
        error={fields.disableCode}
      />
      <SubmitButton variant="secondary">Turn off two-factor authentication</SubmitButton>
    </form>
  );
}

/** The settings page's Two-factor authentication section. */
export function TwoFactorSection({ state, errors }: { state: TwoFactorStep; errors?: FormErrors }) {
  const on = state.step === "on" || state.step === "enabled";
  return (
    <SettingsCard id="two-factor" title="Two-factor authentication">
      <SectionText>
        {on
          ? "On: signing in takes your password and a code from your authenticator app (or a recovery code)."
          : "Off: signing in takes only your password. With it on, it also takes a code from an authenticator app."}
      </SectionText>
      <FormAlert message={errors?.form} />
      {state.step === "off" && <SetUpForm />}
      {state.step === "enrolling" && <ConfirmForm enrolment={state.enrolment} errors={errors} />}
      {state.step === "enabled" && <RecoveryCodes codes={state.recoveryCodes} />}
      {on && <DisableForm errors={errors} />}
    </SettingsCard>
  );
}
