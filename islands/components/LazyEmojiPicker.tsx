/**
 * The emoji picker, imported when it first opens (its module is a chunk of its own, fetched
 * then, and its data after it), so the chat page's first load carries neither.
 */
import { lazy } from "../shared/lazy.tsx";
import type { EmojiPickerProps } from "./EmojiPicker.tsx";

export const LazyEmojiPicker = lazy<EmojiPickerProps>(() =>
  import("./EmojiPicker.tsx").then((loaded) => loaded.default)
);
