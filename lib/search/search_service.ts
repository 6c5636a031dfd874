/**
 * GET /api/search (API.md "Search"): parse the query once, work out once which channels the
 * caller may read (view_channel and read_history, from each server's permission snapshot),
 * resolve names to ids, ask the store for one page, and decorate it as history is decorated.
 *
 * The scope is the only permission check: the store never looks outside it, so nothing about an
 * unreadable channel can show in results, their order or `next` (which is only ever the id of
 * a returned message). A `serverId` the caller is not in is 404, like any server of theirs they
 * cannot see; a `from:`/`mentions:` user that does not exist and an `in:` channel the caller
 * cannot read are 400, worded the same whether the channel exists or not.
 *
 * Without `serverId`, the caller's DM channels are in the scope too (a DM is its own place,
 * lib/dms/dm_access.ts: its index terms are under its own id); their results say `serverId: null`.
 */
import type { SearchChannel, SearchCriteria, UserRecord } from "../../db/store.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { accessOf, holdsInChannel, memberAccess, plausibleId } from "../chat/membership.ts";
import { decorateMessages } from "../conversations/decoration.ts";
import { Invalid, RateLimited } from "../errors.ts";
import type { ErrorCode } from "../error_codes.ts";
import { SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX, SEARCH_RATE_WINDOW_MS } from "../limits.ts";
import {
  memoryRateLimits,
  type RateLimitBackend,
  type WindowLimit,
} from "../rate_limits/rate_limits.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { WireMessage } from "../realtime/protocol.ts";
import { type ParsedQuery, parseQuery } from "./query.ts";
import { isDmChannel } from "../dms/dm_kind.ts";

/** The query string of GET /api/search, as received. */
export interface SearchInput {
  q?: string;
  serverId?: string;
  limit?: string;
  before?: string;
}

/** One result: the message as history shows it, and where it is. */
export interface SearchResult {
  message: WireMessage;
  channelId: string;
  /** Null for a DM. */
  serverId: string | null;
}

export interface SearchPage {
  results: SearchResult[];
  /** Pass back as `before` for the next (older) page; null: this was the last. */
  next: string | null;
}

// Requested for lib/error_codes.ts (requests/search-1.md).
const INVALID_QUERY = "invalid_query" as ErrorCode;

export interface SearchServiceOptions {
  /** Searches per user per SEARCH_RATE_WINDOW_MS (0: off). */
  limit: number;
  /** Where the count lives (default: this process's memory). */
  rateLimits?: RateLimitBackend;
}

export class SearchService {
  #limiter: WindowLimit;

  constructor(private deps: ChatDeps, options: SearchServiceOptions = { limit: 0 }) {
    // Fails open like the other per-user limits: it keeps one user from hogging the store.
    this.#limiter = (options.rateLimits ?? memoryRateLimits(deps.now)).window({
      name: "search",
      limit: options.limit,
      windowMs: SEARCH_RATE_WINDOW_MS,
      failOpen: true,
    });
  }

  /** One page of the caller's matches, newest first. */
  async search(user: UserRecord, input: SearchInput): Promise<SearchPage> {
    const retryAfterMs = await this.#limiter.take(user.id);
    if (retryAfterMs > 0) {
      throw new RateLimited(Math.ceil(retryAfterMs / 1000), "You are searching too fast.");
    }
    const limit = limitOf(input.limit);
    const beforeId = cursorOf(input.before);
    const query = parseQuery(input.q ?? "");
    // `serverId=` (empty) reads as absent: every server of the caller.
    const scope = await this.#scopeOf(user, input.serverId || undefined);
    const channels = channelsNamed(scope, query.in);
    const [authorIds, mentionIds] = await Promise.all([
      this.#userIds("from", query.from),
      this.#userIds("mentions", query.mentions),
    ]);
    if (channels.length === 0) {
      return { results: [], next: null };
    }
    const criteria = criteriaOf(query, channels, authorIds, mentionIds, beforeId, limit + 1);
    const found = await this.deps.store.searchMessages(criteria);
    const page = found.slice(0, limit);
    const serverOf = new Map(channels.map((c) => [c.channelId, c.serverId]));
    const wire = await decorateMessages(this.deps.store, page, user.id);
    return {
      results: wire.map((message, i) => ({
        message,
        channelId: page[i].channelId,
        // A DM's place is its own id (db/dm_store.ts); the API says it is in no server.
        serverId: serverOf.get(page[i].channelId) === page[i].channelId
          ? null
          : serverOf.get(page[i].channelId)!,
      })),
      next: found.length > limit ? page[page.length - 1].id : null,
    };
  }

  /** The channels the caller may read, with their names, in the server named or in all theirs. */
  async #scopeOf(user: UserRecord, serverId: string | undefined): Promise<NamedChannel[]> {
    let snapshots: ServerAccess[];
    if (serverId !== undefined) {
      snapshots = [await memberAccess(this.deps, user, serverId, { confirm: true })];
    } else {
      const [servers, dmIds] = await Promise.all([
        this.deps.store.listServersOf(user.id),
        this.deps.store.listDmIdsOf(user.id),
      ]);
      const places = [...servers.map((s) => s.id), ...dmIds];
      const loaded = await Promise.all(places.map((id) => accessOf(this.deps.access, id)));
      snapshots = loaded.filter((a): a is ServerAccess => a !== null && a.isMember(user.id));
    }
    return snapshots.flatMap((access) =>
      access.channels().filter((channel) =>
        (channel.kind === "text" || isDmChannel(channel)) && access.canView(user.id, channel.id) &&
        holdsInChannel(access, user.id, channel.id, "read_history")
      ).map((channel) => ({
        channelId: channel.id,
        serverId: channel.serverId,
        name: channel.name.toLowerCase(),
      }))
    );
  }

  /** Ids of the users named by `filter:`; a name nobody has is refused, naming it. */
  async #userIds(filter: string, usernames: string[]): Promise<string[] | null> {
    if (usernames.length === 0) return null;
    const users = await Promise.all(
      usernames.map((name) => this.deps.store.findUserByUsername(name)),
    );
    return users.map((found, i) => {
      if (!found) {
        throw new Invalid(INVALID_QUERY, `${filter}: no user is named "${usernames[i]}".`, "q");
      }
      return found.id;
    });
  }
}

interface NamedChannel extends SearchChannel {
  name: string;
}

/** The scope narrowed by `in:` (any of the names); a name matching none is refused. */
function channelsNamed(scope: NamedChannel[], names: string[]): SearchChannel[] {
  const narrowed = names.length === 0 ? scope : scope.filter((c) => names.includes(c.name));
  for (const name of names) {
    if (!scope.some((c) => c.name === name)) {
      throw new Invalid(INVALID_QUERY, `in: you can read no channel named "${name}".`, "q");
    }
  }
  return narrowed.map(({ channelId, serverId }) => ({ channelId, serverId }));
}

function criteriaOf(
  query: ParsedQuery,
  channels: SearchChannel[],
  authorIds: string[] | null,
  mentionIds: string[] | null,
  beforeId: string | null,
  limit: number,
): SearchCriteria {
  return {
    channels,
    required: query.required,
    excluded: query.excluded,
    authorIds,
    mentionIds,
    hasLink: query.has.includes("link"),
    hasFile: query.has.includes("file"),
    hasImage: query.has.includes("image"),
    pinned: query.pinned,
    before: query.before,
    after: query.after,
    beforeId,
    limit,
  };
}

function limitOf(raw: string | undefined): number {
  if (raw === undefined || raw === "") return SEARCH_PAGE_DEFAULT;
  const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= SEARCH_PAGE_MAX)) {
    throw new Invalid(
      "invalid_limit",
      `limit must be a whole number from 1 to ${SEARCH_PAGE_MAX}: got "${raw}".`,
    );
  }
  return limit;
}

/** `before`: the `next` of a previous page (a message id), opaque to the caller. */
function cursorOf(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (!plausibleId(raw)) {
    throw new Invalid("invalid_cursor", "before must be the next value of a previous page.");
  }
  return raw;
}
