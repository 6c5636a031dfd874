/**
 * A reply's quoted preview (API.md "Conversations"): the reply stores only the original's id;
 * the preview is built when read, so an edit or a deletion of the original shows at once.
 * Replies stay within one channel (checked at send), so a reader who may read the reply may
 * read the original: the reader's rights are those of the page being read.
 */
import type { MessageRecord } from "../../db/store.ts";
import { REPLY_EXCERPT_MAX_LENGTH } from "../limits.ts";
import type { WireAuthor, WireReplyPreview } from "../realtime/protocol.ts";

/** The original's first characters on one line, cut at a code point with "…". */
export function excerptOf(content: string): string {
  const line = content.replace(/\s+/g, " ").trim();
  const points = [...line];
  if (points.length <= REPLY_EXCERPT_MAX_LENGTH) return line;
  return points.slice(0, REPLY_EXCERPT_MAX_LENGTH - 1).join("") + "…";
}

/** The preview of `replyToId` given the original (undefined: gone) and its author. */
export function replyPreview(
  replyToId: string | null,
  original: MessageRecord | undefined,
  author: (id: string) => WireAuthor,
): WireReplyPreview | null {
  if (replyToId === null) return null;
  if (!original) return { id: replyToId, deleted: true };
  return {
    id: original.id,
    seq: original.seq,
    author: author(original.authorId),
    excerpt: excerptOf(original.content),
  };
}
