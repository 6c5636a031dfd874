/**
 * A message's files, as the list shows them (server-rendered and hydrated alike): images
 * inline, each in a box of its final on-screen size (from the width and height the server
 * measured; its thumbhash placeholder drawn under it), so nothing moves when they load;
 * every other file as a card with its name, size and a Download link.
 *
 * An image is a link to the file (a new tab, without JavaScript); hydrated, a click opens the
 * lightbox instead, whose code loads then (Lightbox.tsx: its own chunk, not in the first load).
 */
import { useComputed } from "@preact/signals";
import { useRef } from "preact/hooks";
import type { WireAttachment } from "../../lib/realtime/protocol.ts";
import { lazy } from "../shared/lazy.tsx";
import { placeholderUrl } from "./placeholder.ts";
import { displayBox, formatBytes, isInlineImage } from "./sizing.ts";
import { viewing } from "./viewer.ts";

const LazyLightbox = lazy(() => import("./Lightbox.tsx").then((loaded) => loaded.default));

export interface MessageAttachmentsProps {
  messageId: string;
  files: WireAttachment[];
  /** The islands run: an image drawn now is the browser's own (not the page's HTML). */
  hydrated: boolean;
}

export function MessageAttachments({ messageId, files, hydrated }: MessageAttachmentsProps) {
  // Only the message whose image is open re-renders when the lightbox opens or closes.
  const open = useComputed(() => viewing.value?.messageId === messageId);
  const images = files.filter(isInlineImage);
  const others = files.filter((file) => !isInlineImage(file));
  return (
    <div class="mt-1 flex flex-wrap items-start gap-2" data-attachments="">
      {images.map((file, index) => (
        <ImageTile
          key={file.id}
          file={file}
          hydrated={hydrated}
          onOpen={(opener) => viewing.value = { messageId, images, index, opener }}
        />
      ))}
      {others.map((file) => <FileCard key={file.id} file={file} />)}
      {open.value && <LazyLightbox />}
    </div>
  );
}

interface ImageTileProps {
  file: WireAttachment;
  hydrated: boolean;
  onOpen: (opener: HTMLElement) => void;
}

function ImageTile({ file, hydrated, onOpen }: ImageTileProps) {
  const box = displayBox(file.width!, file.height!);
  // First drawn by the browser (not hydrated from the page's HTML): its placeholder is drawn
  // here, loading the decoder if need be (placeholder.ts).
  const own = useRef(hydrated).current;
  const placeholder = file.placeholder ? placeholderUrl(file.placeholder, own) : null;
  return (
    <a
      href={file.url}
      target="_blank"
      rel="noopener"
      data-image-box=""
      class="relative block w-fit max-w-full overflow-hidden rounded-lg bg-slate-200 dark:bg-slate-700"
      onClick={(event) => {
        // A modified click (new tab, download) keeps the link's own meaning.
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        onOpen(event.currentTarget);
      }}
    >
      {
        /* The placeholder: an image of its own under the real one (the page's policy allows no
        inline style, so no background), stretched over the box. */
      }
      {file.placeholder && (
        <img
          src={placeholder ?? undefined}
          alt=""
          aria-hidden="true"
          data-placeholder=""
          class="absolute inset-0 h-full w-full"
        />
      )}
      {
        /* width and height make the box's final size before the image loads (narrower screens
        scale it, keeping the ratio). */
      }
      <img
        src={file.thumbnailUrl ?? file.url}
        alt={file.filename}
        width={box.width}
        height={box.height}
        loading="lazy"
        decoding="async"
        class="relative block h-auto max-w-full"
      />
    </a>
  );
}

function FileCard({ file }: { file: WireAttachment }) {
  return (
    <div
      data-file-card=""
      class="flex w-72 max-w-full items-center gap-3 rounded-lg border border-slate-200 bg-white p-2 dark:border-slate-700 dark:bg-slate-900"
    >
      <svg
        aria-hidden="true"
        viewBox="0 0 24 24"
        class="h-8 w-8 shrink-0 fill-none stroke-slate-500 stroke-[1.5]"
      >
        <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5" />
      </svg>
      <div class="min-w-0 flex-1">
        <p class="truncate text-sm font-medium" title={file.filename}>{file.filename}</p>
        <p class="text-xs text-slate-500 dark:text-slate-400">{formatBytes(file.size)}</p>
      </div>
      <a
        href={file.url}
        download={file.filename}
        aria-label={`Download ${file.filename}`}
        class="shrink-0 rounded-md px-2 py-1 text-sm font-semibold text-brand-600 hover:bg-slate-100 dark:text-brand-100 dark:hover:bg-slate-800"
      >
        Download
      </a>
    </div>
  );
}
