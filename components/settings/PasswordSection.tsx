import { SubmitButton } from "../Button.tsx";
import { FormAlert } from "../AuthLayout.tsx";
import { TextField } from "../TextField.tsx";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../lib/limits.ts";
import type { FormErrors } from "../../routes/form_errors.ts";
import { SectionText, SettingsCard } from "./SettingsCard.tsx";

/** The Password section: current and new password; every other session ends on success. */
export function PasswordSection({ errors }: { errors?: FormErrors }) {
  const fields = errors?.fields ?? {};
  return (
    <SettingsCard id="password" title="Password">
      <SectionText>
        Changing your password logs you out everywhere else: every other session ends at once.
      </SectionText>
      <form method="post" action="/settings/password" class="space-y-4">
        <FormAlert message={errors?.form} />
        <TextField
          name="currentPassword"
          type="password"
          label="Current password"
          autocomplete="current-password"
          required
          autofocus={fields.currentPassword !== undefined}
          error={fields.currentPassword}
        />
        <TextField
          name="newPassword"
          type="password"
          label="New password"
          autocomplete="new-password"
          required
          minLength={PASSWORD_MIN_LENGTH}
          autofocus={fields.currentPassword === undefined && fields.newPassword !== undefined}
          error={fields.newPassword}
          hint={`${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not a common password, and not containing your username.`}
        />
        <SubmitButton>Change password</SubmitButton>
      </form>
    </SettingsCard>
  );
}
