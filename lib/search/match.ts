/**
 * Whether one stored message matches search criteria, decided in memory from the message
 * itself: the Deno KV store lists candidates from its term index, then keeps those that truly
 * match (phrases, exclusions and filters are checked on the current content, so a stale
 * candidate can never slip through).
 */
import { hasInlineImage, type SearchCriteria } from "../../db/search_store.ts";
import type { MessageRecord } from "../../db/store.ts";
import { containsSequence, hasLink, tokenize } from "./text.ts";

/** True if the message matches every criterion but `pinned` and the channel scope. */
export function matchesMessage(criteria: SearchCriteria, message: MessageRecord): boolean {
  const { authorIds, mentionIds, before, after } = criteria;
  if (authorIds !== null && !authorIds.includes(message.authorId)) return false;
  if (before !== null && message.createdAt.getTime() >= before.getTime()) return false;
  if (after !== null && message.createdAt.getTime() < after.getTime()) return false;
  if (mentionIds !== null && !message.mentions.users.some((id) => mentionIds.includes(id))) {
    return false;
  }
  if (criteria.hasLink && !hasLink(message.content)) return false;
  if (criteria.hasFile && (message.attachments?.length ?? 0) === 0) return false;
  if (criteria.hasImage && !hasInlineImage(message.attachments)) return false;
  if (criteria.required.length === 0 && criteria.excluded.length === 0) return true;
  const tokens = tokenize(message.content);
  return criteria.required.every((term) => containsSequence(tokens, term.tokens)) &&
    !criteria.excluded.some((term) => containsSequence(tokens, term.tokens));
}
