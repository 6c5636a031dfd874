/**
 * The composer's files: uploading them (each as soon as it is added, its progress in the tray),
 * cancelling one, the tray itself, and sending a message with them. Imported by the composer the
 * first time a file is attached, pasted or dropped (MessageInput.tsx): none of it is in the
 * chat page's first load.
 */
import type { Signal } from "@preact/signals";
import { postMessage, uploadAttachment } from "../runtime/api.ts";
import {
  addFiles,
  failed,
  FILES_PER_MESSAGE_MAX,
  itemStatus,
  progressed,
  removed,
  trayState,
  uploaded,
  uploadError,
} from "./tray.ts";
import type { TrayItem } from "./tray.ts";

/** Uploads in progress, by tray key: Cancel aborts them. */
const uploads = new Map<string, AbortController>();

/**
 * Adds `files` to the tray and starts uploading each to the channel. Returns a note for the
 * reader when some did not fit (FILES_PER_MESSAGE_MAX per message), else null.
 */
export function startUploads(
  channelId: string,
  files: File[],
  tray: Signal<TrayItem[]>,
): string | null {
  const keyed = files.map((file) => ({
    key: crypto.randomUUID(),
    name: file.name,
    size: file.size,
  }));
  const next = addFiles(tray.value, keyed);
  tray.value = next.items;
  for (const key of next.added) {
    const file = files[keyed.findIndex((entry) => entry.key === key)];
    void upload(channelId, key, file, tray);
  }
  return next.refused > 0
    ? `A message can carry at most ${FILES_PER_MESSAGE_MAX} files: ${next.refused} not added.`
    : null;
}

async function upload(channelId: string, key: string, file: File, tray: Signal<TrayItem[]>) {
  const controller = new AbortController();
  uploads.set(key, controller);
  const result = await uploadAttachment(
    channelId,
    file,
    (sent, total) => tray.value = progressed(tray.value, key, sent, total),
    controller.signal,
  );
  uploads.delete(key);
  if (result.ok) tray.value = uploaded(tray.value, key, result.value);
  else if (result.error.code !== "aborted") {
    tray.value = failed(tray.value, key, uploadError(file.name, result.error));
  }
}

/** Cancel: aborts the file's upload if it is on its way, and takes it out of the tray. */
export function cancelFile(tray: Signal<TrayItem[]>, key: string): void {
  uploads.get(key)?.abort();
  uploads.delete(key);
  tray.value = removed(tray.value, key);
}

/** Drops every file (the message was sent, or the composer goes away). */
export function clearTray(tray: Signal<TrayItem[]>): void {
  for (const item of tray.peek()) cancelFile(tray, item.key);
}

/** The nonce of the message being sent with the tray's files: a retry stores nothing new. */
let nonce: string | null = null;

/**
 * Sends `content` with the tray's uploaded files (over HTTP; the socket then brings the
 * message to the list as it does every message) and empties the tray. Resolves to null once
 * sent, else to why not (the tray and the nonce stay, for another try).
 */
export async function sendTray(
  channelId: string,
  content: string,
  tray: Signal<TrayItem[]>,
  replyTo?: string,
): Promise<string | null> {
  const { ids } = trayState(tray.value);
  if (ids.length === 0 && !content) return null;
  nonce ??= crypto.randomUUID();
  const result = await postMessage(channelId, {
    content,
    nonce,
    attachments: ids,
    ...(replyTo ? { replyTo } : {}),
  });
  if (!result.ok) return result.error.message;
  nonce = null;
  clearTray(tray);
  return null;
}

export interface AttachmentTrayProps {
  items: TrayItem[];
  onCancel: (key: string) => void;
}

/** The files about to be sent, above the composer: each with its progress and a Cancel. */
export function AttachmentTray({ items, onCancel }: AttachmentTrayProps) {
  return (
    <ul
      aria-label="Files to send"
      class="mb-2 flex max-h-48 flex-col gap-1 overflow-y-auto"
      data-testid="attachment-tray"
    >
      {items.map((item) => (
        <li
          key={item.key}
          data-status={item.status}
          class="flex items-center gap-2 rounded-lg bg-slate-100 px-2 py-1.5 text-sm dark:bg-slate-800"
        >
          <div class="min-w-0 flex-1">
            <p class="truncate font-medium" title={item.name}>{item.name}</p>
            <p
              class={`text-xs ${
                item.status === "failed"
                  ? "text-red-600 dark:text-red-400"
                  : "text-slate-600 dark:text-slate-300"
              }`}
              role={item.status === "failed" ? "alert" : undefined}
            >
              {itemStatus(item)}
            </p>
            {item.status !== "failed" && (
              <div
                role="progressbar"
                aria-label={`Uploading ${item.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={item.percent}
                class="mt-1 h-1 overflow-hidden rounded bg-slate-300 dark:bg-slate-600"
              >
                <div
                  class="h-full bg-brand-500 transition-[width]"
                  style={{ width: `${item.percent}%` }}
                />
              </div>
            )}
          </div>
          <button
            type="button"
            onClick={() => onCancel(item.key)}
            aria-label={`${item.status === "uploading" ? "Cancel" : "Remove"} ${item.name}`}
            class="shrink-0 rounded-md px-2 py-1 text-xs font-semibold underline hover:bg-slate-200 dark:hover:bg-slate-700"
          >
            {item.status === "uploading" ? "Cancel" : "Remove"}
          </button>
        </li>
      ))}
    </ul>
  );
}
