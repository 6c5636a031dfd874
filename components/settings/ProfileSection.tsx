/**
 * Display name, bio and avatar: two plain forms that work without JavaScript; the islands add a
 * live preview (one signal per value, shared by several islands) and instant checks.
 */
import { signal } from "@preact/signals";
import { SubmitButton } from "../Button.tsx";
import { FormAlert } from "../AuthLayout.tsx";
import { AvatarPicker, ProfileFields, ProfilePreview } from "../islands.ts";
import { IMAGE_TYPES } from "../../lib/images.ts";
import { AVATAR_MAX_BYTES, BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH } from "../../lib/limits.ts";
import type { PublicUser } from "../../lib/public_user.ts";
import type { FormErrors } from "../../routes/form_errors.ts";
import { SettingsCard } from "./SettingsCard.tsx";

/** What the user typed in the profile form, shown again after an error. */
export interface ProfileDraft {
  displayName: string;
  bio: string;
}

export interface ProfileSectionProps {
  user: PublicUser;
  draft?: ProfileDraft;
  /** The profile form's errors, if it was the one that failed. */
  profileErrors?: FormErrors;
  /** The avatar form's errors, if it was the one that failed. */
  avatarErrors?: FormErrors;
}

/** The settings page's Profile section. */
export function ProfileSection({ user, draft, profileErrors, avatarErrors }: ProfileSectionProps) {
  const displayName = signal(draft?.displayName ?? user.displayName);
  const bio = signal(draft?.bio ?? user.bio);
  const avatarUrl = signal(user.avatarUrl);
  const fields = profileErrors?.fields ?? {};
  return (
    <SettingsCard id="profile" title="Profile">
      <div class="grid gap-6 lg:grid-cols-[16rem_1fr]">
        <div class="lg:self-start">
          <ProfilePreview
            username={user.username}
            displayName={displayName}
            bio={bio}
            avatarUrl={avatarUrl}
          />
        </div>
        <div class="min-w-0 space-y-6">
          <form method="post" action="/profile" class="space-y-4">
            <FormAlert message={profileErrors?.form} />
            <ProfileFields
              displayName={displayName}
              bio={bio}
              displayNameMax={DISPLAY_NAME_MAX_LENGTH}
              bioMax={BIO_MAX_LENGTH}
              errors={{ displayName: fields.displayName, bio: fields.bio }}
            />
            <SubmitButton>Save profile</SubmitButton>
          </form>
          <form
            method="post"
            action="/profile/avatar"
            enctype="multipart/form-data"
            class="space-y-4 border-t border-slate-200 pt-6 dark:border-slate-800"
          >
            <FormAlert message={avatarErrors?.form} />
            <AvatarPicker
              avatarUrl={avatarUrl}
              maxBytes={AVATAR_MAX_BYTES}
              accept={[...IMAGE_TYPES]}
              error={avatarErrors?.fields.avatar}
            />
            <SubmitButton>Upload avatar</SubmitButton>
          </form>
        </div>
      </div>
    </SettingsCard>
  );
}
