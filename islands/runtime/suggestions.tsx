/**
 * The composer's suggestions for a completion query (runtime/completion.ts finds it): members
 * for `@`, emoji for `:` (custom ones first). Imported by the composer when a first query
 * appears, with the emoji search, so the page's first load carries neither.
 */
import type { WireUser } from "../../lib/realtime/protocol.ts";
import { customEmoji } from "./custom_emoji.ts";
import { matchMembers } from "./completion.ts";
import type { CompletionQuery } from "./completion.ts";
import { searchEmoji } from "./emoji_data.ts";
import type { PickerEmoji } from "./emoji_data.ts";

export { applyCompletion } from "./completion.ts";
export { loadEmojiData } from "./emoji_data.ts";

/** One suggestion. */
export interface Suggestion {
  /** What goes into the composer. */
  insert: string;
  label: string;
  /** Shown before the label (an emoji). */
  glyph?: string;
}

/** At most `limit` suggestions for `query`. */
export function suggest(
  query: CompletionQuery,
  members: WireUser[],
  emojiData: PickerEmoji[] | null,
  limit: number,
): Suggestion[] {
  if (query.kind === "mention") {
    return matchMembers(members, query.query, limit).map((user) => ({
      insert: `@${user.username}`,
      label: `${user.displayName} (@${user.username})`,
    }));
  }
  const custom: PickerEmoji[] = [...customEmoji.value.keys()].map((name) => [
    `:${name}:`,
    name,
    name,
    "",
  ]);
  return searchEmoji([...custom, ...(emojiData ?? [])], query.query, limit).map((
    [emoji, name, codes],
  ) => ({
    insert: emoji,
    // The shortcode being typed, if the emoji has it.
    label: `:${
      codes.split(" ").find((code) => code.startsWith(query.query.toLowerCase())) ||
      codes.split(" ")[0] || name
    }:`,
    glyph: emoji.startsWith(":") ? undefined : emoji,
  }));
}

/**
 * The suggestions under the composer: a listbox whose active option the composer names with
 * aria-activedescendant (focus stays in the composer). A press picks one.
 */
export function SuggestionList(
  { offered, current, onPick }: {
    offered: Suggestion[];
    current: number;
    onPick: (choice: Suggestion) => void;
  },
) {
  return (
    <ul
      id="composer-suggestions"
      role="listbox"
      aria-label="Suggestions"
      class="mb-1 max-h-60 overflow-y-auto rounded-lg border border-slate-200 bg-white py-1 text-sm shadow dark:border-slate-700 dark:bg-slate-900"
    >
      {offered.map((choice, i) => (
        <li
          key={choice.insert}
          id={`composer-suggestion-${i}`}
          role="option"
          aria-selected={i === current ? "true" : "false"}
          onMouseDown={(event) => {
            event.preventDefault();
            onPick(choice);
          }}
          class={`flex cursor-pointer items-center gap-2 px-3 py-1 ${
            i === current ? "bg-brand-100 dark:bg-slate-700" : ""
          }`}
        >
          {choice.glyph && <span aria-hidden="true">{choice.glyph}</span>}
          {choice.label}
        </li>
      ))}
    </ul>
  );
}
