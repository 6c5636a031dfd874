/**
 * The avatar file input. Without JavaScript it is a plain file field; hydrated, it checks the
 * chosen file's size and type at once and shows it in the preview before upload. The server
 * checks again from the bytes: this is only for a quicker answer.
 */
import type { Signal } from "@preact/signals";
import { useSignal } from "@preact/signals";

export interface AvatarPickerProps {
  avatarUrl: Signal<string>;
  maxBytes: number;
  accept: string[];
  error?: string;
}

export default function AvatarPicker({ avatarUrl, maxBytes, accept, error }: AvatarPickerProps) {
  const problem = useSignal(error ?? "");

  function onChange(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    if (!accept.includes(file.type)) {
      problem.value = "Choose a PNG, JPEG, WebP or GIF image.";
    } else if (file.size > maxBytes) {
      problem.value = `The image must be at most ${maxBytes / 1024 / 1024} MiB.`;
    } else {
      problem.value = "";
      avatarUrl.value = URL.createObjectURL(file);
    }
  }

  return (
    <div class="space-y-1">
      <label for="avatar" class="block text-sm font-medium">Avatar image</label>
      <input
        id="avatar"
        name="avatar"
        type="file"
        required
        accept={accept.join(",")}
        onChange={onChange}
        aria-invalid={problem.value ? "true" : undefined}
        aria-describedby="avatar-help"
        class="block w-full text-sm file:mr-3 file:rounded-lg file:border-0 file:bg-brand-50 file:px-3 file:py-2 file:font-semibold file:text-brand-700 hover:file:bg-brand-100"
      />
      <p
        id="avatar-help"
        class={`text-sm ${
          problem.value ? "text-red-600 dark:text-red-400" : "text-slate-500 dark:text-slate-400"
        }`}
      >
        {problem.value || `PNG, JPEG, WebP or GIF, up to ${maxBytes / 1024 / 1024} MiB.`}
      </p>
    </div>
  );
}
