/**
 * The channel header's `Search` box (API.md's screen names): a GET form to the results page
 * (/search, routes/pages/search_page.tsx), so it works without JavaScript. With it, the box's
 * first focus loads the search panel (islands/search/), which searches as one types.
 */
import { SEARCH_BOX_ID } from "../../islands/search/box.ts";

export function SearchBox({ serverId }: { serverId: string }) {
  return (
    <form role="search" action="/search" method="get" class="relative">
      <input type="hidden" name="serverId" value={serverId} />
      <input
        id={SEARCH_BOX_ID}
        type="search"
        name="q"
        aria-label="Search"
        placeholder="Search"
        autocomplete="off"
        class="w-28 rounded-md border border-slate-200 bg-slate-50 px-2 py-1 text-sm transition-[width] focus:w-40 sm:w-44 md:focus:w-64 dark:border-slate-700 dark:bg-slate-900"
      />
    </form>
  );
}
