/**
 * The composer's tray of files to send (pure state; the composer keeps it in a signal). Each
 * file is uploaded as soon as it is added; Send is disabled while one is still on its way, and
 * then sends the uploaded ones' ids with the text. A failed upload stays, with why, until
 * removed (its Remove is the Cancel button of one in progress).
 */
import type { ApiError } from "../runtime/api.ts";
import type { WireAttachment } from "../../lib/realtime/protocol.ts";
import { formatBytes } from "./sizing.ts";

/** Files one message may carry (API.md "Attachments"). */
export const FILES_PER_MESSAGE_MAX = 10;

export interface TrayItem {
  /** The tray's own id for the file (a file may be added twice). */
  key: string;
  name: string;
  size: number;
  status: "uploading" | "done" | "failed";
  /** 0–100: the share of its bytes sent. */
  percent: number;
  /** Set once uploaded. */
  attachment?: WireAttachment;
  /** Why the upload failed, for the reader. */
  error?: string;
}

/** What the composer's Send can do with the tray. */
export interface TrayState {
  /** An upload is still on its way: Send waits. */
  uploading: boolean;
  /** The uploaded files' ids, in the tray's order. */
  ids: string[];
}

/**
 * Adds files (each `{key, name, size}`) as uploading, up to FILES_PER_MESSAGE_MAX in all;
 * `added` are those taken (to start their uploads), `refused` how many did not fit.
 */
export function addFiles(
  items: TrayItem[],
  files: { key: string; name: string; size: number }[],
  max = FILES_PER_MESSAGE_MAX,
): { items: TrayItem[]; added: string[]; refused: number } {
  const room = Math.max(0, max - items.length);
  const taken = files.slice(0, room);
  return {
    items: [
      ...items,
      ...taken.map(({ key, name, size }) => ({
        key,
        name,
        size,
        status: "uploading" as const,
        percent: 0,
      })),
    ],
    added: taken.map((file) => file.key),
    refused: files.length - taken.length,
  };
}

function change(items: TrayItem[], key: string, next: Partial<TrayItem>): TrayItem[] {
  return items.map((item) => item.key === key ? { ...item, ...next } : item);
}

/** `sent` of `total` bytes are on their way (a finished or failed file is left as it is). */
export function progressed(items: TrayItem[], key: string, sent: number, total: number) {
  const item = items.find((item) => item.key === key);
  if (item?.status !== "uploading") return items;
  const percent = total > 0 ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
  return percent === item.percent ? items : change(items, key, { percent });
}

export function uploaded(items: TrayItem[], key: string, attachment: WireAttachment) {
  return change(items, key, { status: "done", percent: 100, attachment, error: undefined });
}

export function failed(items: TrayItem[], key: string, error: string) {
  return change(items, key, { status: "failed", error });
}

export function removed(items: TrayItem[], key: string) {
  return items.filter((item) => item.key !== key);
}

export function trayState(items: TrayItem[]): TrayState {
  return {
    uploading: items.some((item) => item.status === "uploading"),
    ids: items.flatMap((item) => item.status === "done" ? [item.attachment!.id] : []),
  };
}

/**
 * Why an upload failed, for the reader. A file over the server's cap (413 payload_too_large)
 * says `<name> is larger than 25 MiB`, the cap read from the server's message ("…at most
 * 26214400 bytes."); any other failure (a quota's 413 included) gives the server's words.
 */
export function uploadError(name: string, error: ApiError): string {
  if (error.status === 413 && error.code === "payload_too_large") {
    const bytes = /(\d+) bytes/.exec(error.message)?.[1];
    return `${name} is larger than ${
      bytes ? formatBytes(Number(bytes)) : "the largest file allowed"
    }.`;
  }
  return `${name}: ${error.message}`;
}

/** The line a tray item shows under its name: its size, then progress or what went wrong. */
export function itemStatus(item: TrayItem): string {
  const size = formatBytes(item.size);
  if (item.status === "uploading") return `${size} · uploading ${item.percent}%`;
  if (item.status === "done") return `${size} · ready`;
  return item.error ?? "Upload failed.";
}
