/**
 * The emoji picker's data: fetched from /emoji-data.json the first time the picker opens or
 * `:shortcode:` completion starts (never with the page, which keeps the chat page's scripts in
 * their budget), then kept for the page's life. Search is by name, shortcode or keyword.
 */

/** One emoji: [canonical emoji, name, shortcodes (space-separated), keywords (space-separated)]. */
export type PickerEmoji = [string, string, string, string];

let loading: Promise<PickerEmoji[]> | null = null;

/** The dataset (one fetch per page; a failed fetch is tried again on the next call). */
export function loadEmojiData(): Promise<PickerEmoji[]> {
  loading ??= fetch("/emoji-data.json").then((response) => {
    if (!response.ok) throw new Error(`emoji data: ${response.status}`);
    return response.json() as Promise<PickerEmoji[]>;
  }).catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}

/**
 * The emoji matching `query` (case-insensitive), best first: a name or shortcode starting with
 * it, then one containing it, then a keyword. An empty query gives them all in Unicode's order.
 */
export function searchEmoji(data: PickerEmoji[], query: string, limit = Infinity): PickerEmoji[] {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, "");
  if (!q) return data.slice(0, limit);
  const ranked: [number, PickerEmoji][] = [];
  for (const emoji of data) {
    const [, name, codes, tags] = emoji;
    const label = name.toLowerCase();
    const words = ` ${codes} `;
    const rank = words.includes(` ${q} `)
      ? 0
      : label.startsWith(q) || words.includes(` ${q}`)
      ? 1
      : label.includes(q) || codes.includes(q)
      ? 2
      : ` ${tags}`.includes(` ${q}`)
      ? 3
      : -1;
    if (rank !== -1) ranked.push([rank, emoji]);
  }
  return ranked.sort((a, b) => a[0] - b[0]).slice(0, limit).map(([, emoji]) => emoji);
}
