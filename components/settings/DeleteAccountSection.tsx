import { SubmitButton } from "../Button.tsx";
import { FormAlert } from "../AuthLayout.tsx";
import { TextField } from "../TextField.tsx";
import type { FormErrors } from "../../routes/form_errors.ts";
import { SectionText, SettingsCard } from "./SettingsCard.tsx";

/** The Delete account section: the password confirms; servers one owns must go first. */
export function DeleteAccountSection({ errors }: { errors?: FormErrors }) {
  const fields = errors?.fields ?? {};
  return (
    <SettingsCard id="delete" title="Delete account" danger>
      <SectionText>
        This cannot be undone: your account and every session end, and your messages stay, shown as
        by “Deleted user”. While you own a server you cannot delete your account: delete the server
        or hand it over first.
      </SectionText>
      <form method="post" action="/settings/delete" class="space-y-4">
        <FormAlert message={errors?.form} />
        <TextField
          name="deletePassword"
          type="password"
          label="Password to confirm deletion"
          autocomplete="current-password"
          required
          autofocus={fields.deletePassword !== undefined}
          error={fields.deletePassword}
        />
        <SubmitButton variant="danger">Delete account</SubmitButton>
      </form>
    </SettingsCard>
  );
}
