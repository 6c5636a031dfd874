/**
 * `GET /search?q=&serverId=&before=`: search results without JavaScript, where the channel
 * header's `Search` box (components/chat/SearchBox.tsx) submits when the search panel is not
 * there. The same search as GET /api/search (lib/search/search_service.ts), grouped by channel
 * with the words marked, each result a link to its message (`?m=`); a bad query shows the
 * server's refusal (400), More results the next page.
 */
import { Hono } from "hono";
import { HttpError } from "../../lib/errors.ts";
import type { SearchPage } from "../../lib/search/search_service.ts";
import { groupByChannel } from "../../islands/search/groups.ts";
import { excerpt, markTree } from "../../islands/search/highlight.tsx";
import { highlightTerms } from "../../islands/search/query.ts";
import { renderMarkdown } from "../../islands/shared/markdown.tsx";
import type { AppDeps } from "../deps.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { renderPage } from "../render_page.tsx";

const LINK = "font-semibold text-brand-600 underline dark:text-brand-100";

export function searchPage({ chat }: AppDeps) {
  const { search } = chat;
  const app = new Hono<SignedInEnv>();

  app.get("/search", requireSignIn(), async (c) => {
    const { user } = c.get("auth");
    const { q = "", serverId, before } = c.req.query();
    const detail = serverId ? await chat.servers.get(user, serverId) : null;
    let found: SearchPage | null = null;
    let error: string | null = null;
    if (q.trim()) {
      try {
        found = await search.search(user, { q, serverId, before });
      } catch (caught) {
        if (!(caught instanceof HttpError) || caught.status !== 400) throw caught;
        error = caught.message;
      }
    }
    const names = new Map(detail?.channels.map((channel) => [channel.id, channel.name]));
    const terms = highlightTerms(q);
    const back = detail ? `/chat/${detail.server.id}` : "/chat";
    const more = found?.next &&
      `/search?${new URLSearchParams({
        q,
        ...(serverId ? { serverId } : {}),
        before: found.next,
      })}`;
    return c.html(
      renderPage({
        title: `Search${q ? `: ${q}` : ""}`,
        body: (
          <main class="mx-auto max-w-2xl space-y-4 px-4 py-6">
            <p>
              <a href={back} class={LINK}>Back to {detail?.server.name ?? "chat"}</a>
            </p>
            <form role="search" action="/search" method="get" class="flex gap-2">
              {serverId && <input type="hidden" name="serverId" value={serverId} />}
              <input
                type="search"
                name="q"
                value={q}
                aria-label="Search"
                class="min-w-0 flex-1 rounded-md border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
              />
              <button
                type="submit"
                class="rounded-md bg-brand-600 px-3 py-1 font-semibold text-white"
              >
                Search
              </button>
            </form>
            {error && <p role="alert" class="text-red-700 dark:text-red-300">{error}</p>}
            {found && found.results.length === 0 && <p>No messages match.</p>}
            {groupByChannel(found?.results ?? []).map((group) => (
              <section key={group.channelId} aria-label={`#${names.get(group.channelId) ?? ""}`}>
                <h2 class="text-sm font-bold uppercase text-slate-500">
                  #{names.get(group.channelId) ?? "another channel"}
                </h2>
                <ul class="space-y-2">
                  {group.results.map(({ message, serverId, channelId }) => (
                    <li
                      key={message.id}
                      class="rounded-md border border-slate-200 p-2 dark:border-slate-700"
                    >
                      <p class="text-xs text-slate-600 dark:text-slate-300">
                        <span class="font-semibold">{message.author.displayName}</span>{" "}
                        <time datetime={message.createdAt}>
                          {message.createdAt.slice(0, 16).replace("T", " ")} UTC
                        </time>{" "}
                        <a href={`/chat/${serverId}/${channelId}?m=${message.seq}`} class={LINK}>
                          Go to message
                        </a>
                      </p>
                      <div class="break-words text-sm">
                        {markTree(renderMarkdown(excerpt(message.content, terms)), terms)}
                      </div>
                    </li>
                  ))}
                </ul>
              </section>
            ))}
            {more && (
              <p>
                <a href={more} class={LINK}>More results</a>
              </p>
            )}
          </main>
        ),
      }),
      error ? 400 : 200,
    );
  });

  return app;
}
