import { SubmitButton } from "../Button.tsx";
import { FormAlert } from "../AuthLayout.tsx";
import { TextField } from "../TextField.tsx";
import { EMAIL_MAX_LENGTH } from "../../lib/limits.ts";
import type { FormErrors } from "../../routes/form_errors.ts";
import { SectionText, SettingsCard } from "./SettingsCard.tsx";

/**
 * The E-mail section: the address password reset links go to (never shown to others), changed
 * only with the current password.
 */
export function EmailSection(
  { email, mailEnabled, draft, errors }: {
    email: string | null;
    /** Whether this server sends mail (`SMTP_URL`), so whether a reset link can come at all. */
    mailEnabled: boolean;
    /** What was typed, shown again after an error. */
    draft?: string;
    errors?: FormErrors;
  },
) {
  return (
    <SettingsCard id="email" title="E-mail">
      <SectionText>
        {mailEnabled
          ? "If you forget your password, a link to set a new one is sent here. Nobody else sees it."
          : "Kept for password reset links, which this server does not send yet. Nobody else sees it."}
      </SectionText>
      <form method="post" action="/settings/email" class="space-y-4">
        <FormAlert message={errors?.form} />
        <TextField
          name="email"
          label="E-mail for password resets"
          value={draft ?? email ?? ""}
          autocomplete="email"
          maxLength={EMAIL_MAX_LENGTH}
          spellcheck={false}
          autofocus={errors?.fields.email !== undefined}
          error={errors?.fields.email}
          hint="Leave it empty to remove the address."
        />
        <TextField
          name="emailPassword"
          type="password"
          label="Current password to change the e-mail"
          autocomplete="current-password"
          required
          autofocus={errors?.fields.emailPassword !== undefined}
          error={errors?.fields.emailPassword}
        />
        <SubmitButton>Save e-mail</SubmitButton>
      </form>
    </SettingsCard>
  );
}
