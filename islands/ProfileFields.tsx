/**
 * The display name and bio inputs of the profile form. They are plain named inputs, so the form
 * posts without JavaScript; once hydrated they also drive the shared preview signals and count
 * the bio's characters.
 */
import type { Signal } from "@preact/signals";

export interface ProfileFieldsProps {
  displayName: Signal<string>;
  bio: Signal<string>;
  displayNameMax: number;
  bioMax: number;
  errors: { displayName?: string; bio?: string };
}

const INPUT =
  "block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm dark:bg-slate-900";
const border = (error?: string) =>
  error ? "border-red-500" : "border-slate-300 focus:border-brand-500 dark:border-slate-700";

function count(text: string): number {
  return [...text].length;
}

export default function ProfileFields(
  { displayName, bio, displayNameMax, bioMax, errors }: ProfileFieldsProps,
) {
  const bioLength = count(bio.value);
  return (
    <div class="space-y-4">
      <div class="space-y-1">
        <label for="displayName" class="block text-sm font-medium">Display name</label>
        <input
          id="displayName"
          name="displayName"
          value={displayName.value}
          maxLength={displayNameMax}
          required
          autocomplete="nickname"
          aria-invalid={errors.displayName ? "true" : undefined}
          aria-describedby={errors.displayName ? "displayName-error" : undefined}
          onInput={(event) => displayName.value = event.currentTarget.value}
          class={`${INPUT} ${border(errors.displayName)}`}
        />
        {errors.displayName && (
          <p id="displayName-error" class="text-sm text-red-600 dark:text-red-400">
            {errors.displayName}
          </p>
        )}
      </div>
      <div class="space-y-1">
        <div class="flex items-baseline justify-between">
          <label for="bio" class="block text-sm font-medium">Bio</label>
          <span
            id="bio-count"
            aria-live="polite"
            class={`text-xs ${
              bioLength > bioMax ? "text-red-600" : "text-slate-500 dark:text-slate-400"
            }`}
          >
            {bioLength} / {bioMax}
          </span>
        </div>
        <textarea
          id="bio"
          name="bio"
          rows={4}
          value={bio.value}
          aria-invalid={errors.bio ? "true" : undefined}
          aria-describedby={errors.bio ? "bio-error bio-count" : "bio-count"}
          onInput={(event) => bio.value = event.currentTarget.value}
          class={`${INPUT} ${border(errors.bio)} resize-y`}
        />
        {errors.bio && (
          <p id="bio-error" class="text-sm text-red-600 dark:text-red-400">{errors.bio}</p>
        )}
      </div>
    </div>
  );
}
