/**
 * The search panel under the channel header's `Search` box (API.md's screen names): results of
 * GET /api/search in this server, grouped by channel, the query's words marked, newest first,
 * with More results for the next page; the filters offered as they are typed (an empty box
 * lists them). Focus stays in the box, which names the active option with
 * aria-activedescendant, as the composer does its completions: ↑/↓ move (through the offered
 * values while there are some, else through the results), Enter picks a value or opens a
 * result, Esc closes and leaves focus in the box. A result in this channel opens in place
 * (the message list jumps to it, see jump_event.ts), one elsewhere opens its `?m=` link.
 *
 * The box is server-rendered markup (a GET form to the no-JS results page); this panel is a
 * lazy chunk, mounted on the box's first focus (mount.tsx), so the page's first load stays
 * within its JavaScript budget.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { searchMessages } from "../runtime/api.ts";
import type { SearchResult } from "../runtime/api.ts";
import { serverState } from "../runtime/server_state.ts";
import { renderMarkdown } from "../shared/markdown.tsx";
import { fullTime } from "../shared/times.ts";
import { UserAvatar } from "../shared/UserAvatar.tsx";
import { groupByChannel } from "./groups.ts";
import { excerpt, markTree } from "./highlight.tsx";
import { JUMP_EVENT } from "./jump_event.ts";
import type { JumpRequest } from "./jump_event.ts";
import { appendHint, applyFilterValue, FILTER_HINTS, filterAt, highlightTerms } from "./query.ts";
import { suggestValues } from "./suggest.ts";
import type { SearchSuggestion } from "./suggest.ts";

/** Typing waits this long for the next key before it searches. */
const SEARCH_DEBOUNCE_MS = 250;
/** Values offered at most. */
const SUGGESTIONS_MAX = 8;

export interface SearchPanelProps {
  /** The header's search box. */
  box: HTMLInputElement;
}

/** What a search shows: its query, its results so far, and the cursor of the next page. */
interface Found {
  q: string;
  results: SearchResult[];
  next: string | null;
}

/** One offered line: a filter's value, or (in an empty box) a filter itself. */
interface Offer extends SearchSuggestion {
  hint: boolean;
}

const resultId = (result: SearchResult) => `search-result-${result.message.id}`;
const offerId = (i: number) => `search-offer-${i}`;

export default function SearchPanel({ box }: SearchPanelProps) {
  const open = useSignal(true);
  const text = useSignal(box.value);
  const caret = useSignal(box.value.length);
  const found = useSignal<Found | null>(null);
  const loading = useSignal(false);
  const error = useSignal<string | null>(null);
  /** The active result (an index into every result, in the order shown), or -1. */
  const active = useSignal(-1);
  /** The active offer, or -1. */
  const offered = useSignal(-1);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Counts searches, so an answer that a newer search overtook is dropped. */
  const asked = useRef(0);

  const offers = currentOffers(text.value, caret.value);
  const groups = groupByChannel(found.value?.results ?? []);
  const ordered = groups.flatMap((group) => group.results);

  async function search(q: string, before?: string) {
    clearTimeout(timer.current);
    const ask = ++asked.current;
    if (!q.trim()) {
      found.value = null;
      error.value = null;
      loading.value = false;
      return;
    }
    loading.value = true;
    const serverId = serverState.peek()?.server.id;
    const answer = await searchMessages(q, { serverId, before });
    if (ask !== asked.current) return;
    loading.value = false;
    if (!answer.ok) {
      error.value = answer.error.message;
      if (!before) found.value = null;
      return;
    }
    error.value = null;
    const earlier = before && found.peek()?.q === q ? found.peek()!.results : [];
    found.value = { q, results: [...earlier, ...answer.value.results], next: answer.value.next };
    if (!before) active.value = -1;
  }

  /** The box changed: what it offers, and a search once typing pauses (not mid-filter). */
  function changed() {
    text.value = box.value;
    caret.value = box.selectionStart ?? box.value.length;
    open.value = true;
    const next = currentOffers(box.value, caret.value);
    offered.value = next.length > 0 && !next[0].hint ? 0 : -1;
    clearTimeout(timer.current);
    if (next.length > 0 && !next[0].hint) return;
    timer.current = setTimeout(() => void search(box.value), SEARCH_DEBOUNCE_MS);
  }

  function take(offer: Offer) {
    const edit = offer.hint
      ? appendHint(box.value, offer.value)
      : applyFilterValue(box.value, filterAt(box.value, caret.value)!, offer.value);
    box.value = edit.text;
    box.setSelectionRange(edit.caret, edit.caret);
    box.focus();
    changed();
  }

  function close() {
    open.value = false;
    box.focus();
  }

  function openResult(result: SearchResult) {
    const { message, channelId, serverId } = result;
    open.value = false;
    const here = channelId === serverState.peek()?.channelId;
    const detail: JumpRequest = { channelId, id: message.id, seq: message.seq };
    // The message list takes the jump (cancelling the event) when it shows that channel.
    const jumped = here &&
      !dispatchEvent(new CustomEvent(JUMP_EVENT, { detail, cancelable: true }));
    if (!jumped) location.assign(`/chat/${serverId}/${channelId}?m=${message.seq}`);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.preventDefault(); // a search box would also clear itself
      close();
      return;
    }
    if (!open.value) {
      if (event.key === "ArrowDown") open.value = true;
      return;
    }
    const offers = currentOffers(box.value, box.selectionStart ?? box.value.length);
    const moves = event.key === "ArrowDown" ? 1 : event.key === "ArrowUp" ? -1 : 0;
    if (
      offers.length > 0 && (moves !== 0 || (offered.value >= 0 && /^(Enter|Tab)$/.test(event.key)))
    ) {
      event.preventDefault();
      if (moves) offered.value = step(offered.value, moves, offers.length);
      else take(offers[offered.value]);
      return;
    }
    if (moves !== 0) {
      event.preventDefault();
      active.value = step(active.value, moves, ordered.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const chosen = ordered[active.value];
      if (chosen) openResult(chosen);
      else void search(box.value);
    }
  }

  useEffect(() => {
    const form = box.form;
    const onSubmit = (event: Event) => event.preventDefault();
    const onFocus = () => open.value = true;
    const onOutside = (event: PointerEvent) => {
      if (form && !form.contains(event.target as Node)) open.value = false;
    };
    // Listeners on the box are replaced by the freshest closure at every render (see below).
    const onInput = () => handlers.current.changed();
    const onKey = (event: KeyboardEvent) => handlers.current.onKeyDown(event);
    const onCaret = () => caret.value = box.selectionStart ?? box.value.length;
    box.addEventListener("input", onInput);
    box.addEventListener("keydown", onKey);
    box.addEventListener("keyup", onCaret);
    box.addEventListener("click", onCaret);
    box.addEventListener("focus", onFocus);
    form?.addEventListener("submit", onSubmit);
    document.addEventListener("pointerdown", onOutside);
    box.setAttribute("aria-controls", "search-panel");
    box.setAttribute("aria-autocomplete", "list");
    if (box.value.trim()) void search(box.value);
    return () => {
      box.removeEventListener("input", onInput);
      box.removeEventListener("keydown", onKey);
      box.removeEventListener("keyup", onCaret);
      box.removeEventListener("click", onCaret);
      box.removeEventListener("focus", onFocus);
      form?.removeEventListener("submit", onSubmit);
      document.removeEventListener("pointerdown", onOutside);
    };
  }, []);
  const handlers = useRef({ changed, onKeyDown });
  handlers.current = { changed, onKeyDown };

  // The box names the active line; it scrolls into view. A layout effect: the box names it in
  // the same task that marks the line selected (an effect ran a frame later, and a reader of
  // both could see the line selected while the box still named the one before).
  const activeId = !open.value
    ? null
    : offered.value >= 0 && offers[offered.value]
    ? offerId(offered.value)
    : ordered[active.value]
    ? resultId(ordered[active.value])
    : null;
  useLayoutEffect(() => {
    if (activeId) {
      box.setAttribute("aria-activedescendant", activeId);
      document.getElementById(activeId)?.scrollIntoView({ block: "nearest" });
    } else box.removeAttribute("aria-activedescendant");
  }, [activeId]);

  if (!open.value) return null;
  const terms = highlightTerms(found.value?.q ?? "");
  const state = serverState.value;
  const channelName = (id: string) =>
    state?.channels.find((channel) => channel.id === id)?.name ?? "another channel";
  const mentionable = state &&
    new Set(state.members.map((member) => member.user.username.toLowerCase()));
  const count = found.value?.results.length ?? 0;
  const status = loading.value
    ? "Searching…"
    : found.value
    ? count === 0
      ? "No messages match."
      : `${count}${found.value.next ? "+" : ""} ${
        count === 1 && !found.value.next ? "result" : "results"
      }`
    : text.value.trim()
    ? (offers.length > 0 ? "Choose a value, or type one:" : "")
    : 'Search this server\'s messages by words, "phrases", -word, or a filter:';

  return (
    <div
      id="search-panel"
      data-search-panel=""
      onKeyDown={(event) => {
        if (event.key === "Escape") close();
      }}
      class="absolute right-0 top-full z-30 mt-2 flex max-h-[70vh] w-[28rem] flex-col overflow-hidden rounded-lg border border-slate-200 bg-white text-left shadow-lg max-md:fixed max-md:inset-x-0 max-md:bottom-0 max-md:top-14 max-md:mt-0 max-md:max-h-none max-md:w-auto max-md:rounded-none dark:border-slate-700 dark:bg-slate-900"
    >
      <p role="status" class="px-3 pt-2 text-xs text-slate-600 dark:text-slate-300">{status}</p>
      {error.value && (
        <p role="alert" class="px-3 pt-1 text-sm text-red-700 dark:text-red-300">{error.value}</p>
      )}
      {offers.length > 0 && (
        <ul
          role="listbox"
          aria-label="Search filters"
          class="mx-2 my-1 max-h-48 shrink-0 overflow-y-auto rounded-md border border-slate-200 py-1 text-sm dark:border-slate-700"
        >
          {offers.map((offer, i) => (
            <li
              key={offer.value}
              id={offerId(i)}
              role="option"
              aria-selected={i === offered.value ? "true" : "false"}
              onMouseDown={(event) => {
                event.preventDefault();
                take(offer);
              }}
              class={`cursor-pointer px-3 py-1 ${
                i === offered.value ? "bg-brand-100 dark:bg-slate-700" : ""
              }`}
            >
              {offer.label}
            </li>
          ))}
        </ul>
      )}
      {count > 0 && (
        <div
          role="listbox"
          aria-label="Search results"
          class="min-h-0 flex-1 overflow-y-auto px-2 pb-2"
        >
          {groups.map((group) => (
            <div
              key={group.channelId}
              role="group"
              aria-labelledby={`search-group-${group.channelId}`}
            >
              <div
                role="presentation"
                id={`search-group-${group.channelId}`}
                class="px-1 pb-1 pt-2 text-xs font-bold uppercase tracking-wide text-slate-500 dark:text-slate-400"
              >
                #{channelName(group.channelId)}
              </div>
              {group.results.map((result) => {
                const { message } = result;
                const selected = ordered[active.value] === result;
                return (
                  <div
                    key={message.id}
                    id={resultId(result)}
                    role="option"
                    aria-selected={selected ? "true" : "false"}
                    data-search-result={message.id}
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={() => openResult(result)}
                    class={`cursor-pointer rounded-md px-2 py-1.5 hover:bg-slate-100 dark:hover:bg-slate-800 ${
                      selected ? "bg-brand-100 dark:bg-slate-700" : ""
                    }`}
                  >
                    <p class="flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
                      <UserAvatar user={message.author} class="h-5 w-5" decorative />
                      <span class="text-sm font-semibold text-slate-900 dark:text-slate-100">
                        {message.author.displayName}
                      </span>
                      <time datetime={message.createdAt}>{fullTime(message.createdAt)}</time>
                    </p>
                    <div class="mt-0.5 break-words text-sm [overflow-wrap:anywhere]">
                      {markTree(
                        renderMarkdown(excerpt(message.content, terms), {
                          mentionable: mentionable ?? undefined,
                        }),
                        terms,
                      )}
                    </div>
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      )}
      {found.value?.next && !loading.value && (
        <button
          type="button"
          class="m-2 rounded-md border border-slate-200 px-3 py-1 text-sm font-semibold hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          onClick={() => void search(found.value!.q, found.value!.next!)}
        >
          More results
        </button>
      )}
    </div>
  );
}

/** What the box offers at `caret`: the typed filter's values, or every filter when it is empty. */
function currentOffers(text: string, caret: number): Offer[] {
  if (!text.trim()) {
    return FILTER_HINTS.map((hint) => ({ value: hint, label: hint, hint: true }));
  }
  const token = filterAt(text, caret);
  if (!token) return [];
  const state = serverState.peek();
  const sources = {
    members: (state?.members ?? []).map((member) => member.user),
    channels: state?.channels ?? [],
  };
  return suggestValues(token, sources, SUGGESTIONS_MAX).map((offer) => ({ ...offer, hint: false }));
}

/** The next index `by` from `index` among `length`, -1 (none) before the first. */
function step(index: number, by: number, length: number): number {
  if (length === 0) return -1;
  return Math.max(-1, Math.min(length - 1, index + by));
}
