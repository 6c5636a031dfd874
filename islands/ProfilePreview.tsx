/**
 * A live preview of how others see the profile. Its signals are shared with ProfileFields and
 * AvatarPicker, so it follows what the user types and picks before anything is saved.
 */
import type { Signal } from "@preact/signals";
import { UserAvatar } from "./shared/UserAvatar.tsx";

export interface ProfilePreviewProps {
  username: string;
  displayName: Signal<string>;
  bio: Signal<string>;
  avatarUrl: Signal<string>;
}

export default function ProfilePreview(
  { username, displayName, bio, avatarUrl }: ProfilePreviewProps,
) {
  const name = displayName.value.trim() || username;
  return (
    <section
      aria-label="Profile preview"
      class="overflow-hidden rounded-2xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div class="h-20 bg-gradient-to-r from-brand-500 to-indigo-600" />
      <div class="px-5 pb-5">
        <UserAvatar
          user={{ avatarUrl: avatarUrl.value, displayName: name }}
          class="-mt-10 h-20 w-20 border-4 border-white dark:border-slate-900"
        />
        <p class="mt-2 break-words text-lg font-bold" data-testid="preview-name">{name}</p>
        <p class="text-sm text-slate-500 dark:text-slate-400">@{username}</p>
        <p class="mt-3 whitespace-pre-wrap break-words text-sm text-slate-700 dark:text-slate-300">
          {bio.value.trim() || (
            <span class="italic text-slate-500 dark:text-slate-400">No bio yet.</span>
          )}
        </p>
      </div>
    </section>
  );
}
