/**
 * The values the search box offers for the filter being typed (query.ts finds it): members
 * after `from:` and `mentions:` (as the composer's @-completion matches them), text channels
 * after `in:`, and the fixed values of `has:` and `is:`. Pure, tested alone.
 */
import { matchMembers } from "../runtime/completion.ts";
import type { FilterToken } from "./query.ts";

/** One offered value. */
export interface SearchSuggestion {
  /** What replaces the value being typed. */
  value: string;
  label: string;
}

/** What the page knows to offer: the server's members and channels. */
export interface SuggestionSources {
  members: { username: string; displayName: string }[];
  channels: { name: string; kind: string }[];
}

const HAS = ["link", "file", "image"];
const IS = ["pinned"];

/** At most `limit` values for `token`. */
export function suggestValues(
  token: FilterToken,
  sources: SuggestionSources,
  limit: number,
): SearchSuggestion[] {
  const typed = token.value.toLowerCase();
  switch (token.filter) {
    case "from":
    case "mentions":
      return matchMembers(sources.members, token.value, limit).map((user) => ({
        value: user.username,
        label: `${user.displayName} (@${user.username})`,
      }));
    case "in": {
      const names = sources.channels.filter((channel) => channel.kind === "text")
        .map((channel) => channel.name);
      const starts = names.filter((name) => name.toLowerCase().startsWith(typed));
      const contains = names.filter((name) =>
        !name.toLowerCase().startsWith(typed) && name.toLowerCase().includes(typed)
      );
      return [...starts, ...contains].slice(0, limit).map((name) => ({
        value: name,
        label: `#${name}`,
      }));
    }
    case "has":
    case "is":
      return (token.filter === "has" ? HAS : IS).filter((value) => value.startsWith(typed))
        .map((value) => ({ value, label: `${token.filter}:${value}` }));
  }
}
