/**
 * The islands' one door to the HTTP API (API.md): one typed function per call they make. Each
 * resolves to an `ApiResult` and never throws: the API's `{"error": {code, message}}` answers,
 * answers that are not JSON and network failures all become one `ApiError`, so a caller handles
 * every failure in one place and shows its `message` to the reader. All go through `fetch` but
 * `uploadAttachment`, which uses XMLHttpRequest: fetch cannot report an upload's progress.
 *
 * @example
 * const result = await editMessage(id, "fixed typo");
 * if (!result.ok) note.value = result.error.message;
 */
import type {
  WireAttachment,
  WireAuditEntry,
  WireBan,
  WireChannel,
  WireEmoji,
  WireInvite,
  WireMessage,
  WirePin,
  WireUser,
} from "../../lib/realtime/protocol.ts";

/** Why a call failed. `status` is 0 when no answer came (network down, request aborted). */
export interface ApiError {
  status: number;
  /** The API's snake_case code; `network_error` or `http_<status>` when the API gave none. */
  code: string;
  /** A sentence for the reader. */
  message: string;
}

/** What every call resolves to. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Which part of a channel's history a page holds (seq numbers; API.md caps `limit` at 100). */
export interface PageQuery {
  before?: number;
  after?: number;
  /** The page centred on this seq. */
  around?: number;
  limit?: number;
}

/** GET /api/channels/:id/messages: a page of history, ascending by seq. */
export function listMessages(
  channelId: string,
  query: PageQuery = {},
): Promise<ApiResult<WireMessage[]>> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const search = params.size > 0 ? `?${params}` : "";
  return call(
    `/api/channels/${channelId}/messages${search}`,
    { method: "GET" },
    (body) => (body as { messages: WireMessage[] }).messages,
  );
}

/** PATCH /api/messages/:id: the edited message (author only). */
export function editMessage(id: string, content: string): Promise<ApiResult<WireMessage>> {
  return call(`/api/messages/${id}`, json("PATCH", { content }), messageOf);
}

/** DELETE /api/messages/:id (author or server owner). */
export function deleteMessage(id: string): Promise<ApiResult<void>> {
  return call(`/api/messages/${id}`, { method: "DELETE" }, nothing);
}

/** PUT /api/channels/:id/read: moves the reader's read marker (never backwards). */
export function markRead(channelId: string, seq: number): Promise<ApiResult<void>> {
  return call(`/api/channels/${channelId}/read`, json("PUT", { seq }), nothing);
}

/** POST /api/servers/:id/invites: a new invite's code. */
export function createInvite(serverId: string): Promise<ApiResult<string>> {
  return call(
    `/api/servers/${serverId}/invites`,
    { method: "POST" },
    (body) => (body as { code: string }).code,
  );
}

/** DELETE /api/servers/:id/members/me: the reader leaves the server. */
export function leaveServer(serverId: string): Promise<ApiResult<void>> {
  return call(`/api/servers/${serverId}/members/me`, { method: "DELETE" }, nothing);
}

/** PATCH /api/me: the reader's updated profile. */
export function updateProfile(
  changes: { displayName?: string; bio?: string },
): Promise<ApiResult<WireUser>> {
  return call("/api/me", json("PATCH", changes), userOf);
}

/** PUT /api/me/avatar: uploads an image (its type is sent as the Content-Type). */
export function uploadAvatar(image: Blob): Promise<ApiResult<WireUser>> {
  return call(
    "/api/me/avatar",
    { method: "PUT", headers: { "Content-Type": image.type }, body: image },
    userOf,
  );
}

export type { WireAuditEntry, WireBan, WireInvite };

/** POST /api/channels/:id/messages with files: `{content, nonce, attachments, replyTo?}`. */
export function postMessage(
  channelId: string,
  body: { content: string; nonce: string; attachments: string[]; replyTo?: string },
): Promise<ApiResult<WireMessage>> {
  return call(`/api/channels/${channelId}/messages`, json("POST", body), messageOf);
}

/**
 * POST /api/channels/:id/attachments?filename=: uploads one file (its type as the
 * Content-Type), reporting the bytes sent as they go. The one call made with XMLHttpRequest
 * rather than `fetch`: only XHR reports an upload's progress. Aborting `signal` cancels the
 * upload (the result is then `aborted`, status 0); like every call here, it never throws.
 */
export function uploadAttachment(
  channelId: string,
  file: File,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<ApiResult<WireAttachment>> {
  return new Promise((resolve) => {
    const done = (result: ApiResult<WireAttachment>) => {
      signal?.removeEventListener("abort", abort);
      resolve(result);
    };
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    const name = encodeURIComponent(file.name);
    xhr.open("POST", `/api/channels/${channelId}/attachments?filename=${name}`);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.responseType = "text";
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total || file.size);
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      done(
        answerOf(xhr.status, body, (body) => (body as { attachment: WireAttachment }).attachment),
      );
    };
    xhr.onerror = () =>
      done(failure(0, "network_error", "No connection to the server: check it and try again."));
    xhr.onabort = () => done(failure(0, "aborted", "Upload cancelled."));
    if (signal?.aborted) return done(failure(0, "aborted", "Upload cancelled."));
    signal?.addEventListener("abort", abort);
    xhr.send(file);
  });
}

/** PATCH /api/channels/:id: the updated channel. */
export function updateChannel(
  channelId: string,
  changes: { name?: string; topic?: string; position?: number; parentId?: string | null },
): Promise<ApiResult<WireChannel>> {
  return call(`/api/channels/${channelId}`, json("PATCH", changes), channelOf);
}

/** PUT or DELETE /api/messages/:id/reactions/:emoji: the reader's own reaction. */
export function setReaction(
  messageId: string,
  emoji: string,
  on: boolean,
): Promise<ApiResult<void>> {
  return call(
    `/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`,
    { method: on ? "PUT" : "DELETE" },
    nothing,
  );
}

/** PUT or DELETE /api/channels/:id/pins/:messageId (manage_messages). */
export function setPinned(
  channelId: string,
  messageId: string,
  pinned: boolean,
): Promise<ApiResult<void>> {
  return call(
    `/api/channels/${channelId}/pins/${messageId}`,
    { method: pinned ? "PUT" : "DELETE" },
    nothing,
  );
}

/** GET /api/channels/:id/pins: newest first. */
export function listPins(channelId: string): Promise<ApiResult<WirePin[]>> {
  return call(
    `/api/channels/${channelId}/pins`,
    { method: "GET" },
    (body) => (body as { pins: WirePin[] }).pins,
  );
}

/** GET /api/users/:id: someone the reader shares a server or a DM with. */
export function getUser(userId: string): Promise<ApiResult<WireUser>> {
  return call(`/api/users/${userId}`, { method: "GET" }, userOf);
}

/** GET /api/servers/:id/emojis: the server's custom emoji. */
export function listEmojis(serverId: string): Promise<ApiResult<WireEmoji[]>> {
  return call(
    `/api/servers/${serverId}/emojis`,
    { method: "GET" },
    (body) => (body as { emojis: WireEmoji[] }).emojis,
  );
}

/** One search result (API.md's Search): a message and where it is. */
export interface SearchResult {
  message: WireMessage;
  channelId: string;
  serverId: string;
}

/** A page of search results, newest first; `next` is passed back as `before` for the next. */
export interface SearchPage {
  results: SearchResult[];
  next: string | null;
}

/** What a search asks beside its query: one server's channels only, a page size, a cursor. */
export interface SearchOptions {
  serverId?: string;
  limit?: number;
  before?: string;
}

/** GET /api/search: messages matching `q` the reader may read; a bad query is a 400. */
export function searchMessages(
  q: string,
  options: SearchOptions = {},
): Promise<ApiResult<SearchPage>> {
  const params = new URLSearchParams({ q });
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) params.set(key, String(value));
  }
  return call(`/api/search?${params}`, { method: "GET" }, (body) => body as SearchPage);
}

/** Reads an answer's `channel`. */
export const channelOf = (body: unknown) => (body as { channel: WireChannel }).channel;
const messageOf = (body: unknown) => (body as { message: WireMessage }).message;
const userOf = (body: unknown) => (body as { user: WireUser }).user;
/** Reads nothing (a 204). */
export const nothing = () => undefined;

/** A request with a JSON body. */
export function json(method: string, body: unknown): RequestInit {
  return { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

/** Sends one request and turns every outcome into an `ApiResult` (governance_api.ts too). */
export async function call<T>(
  path: string,
  init: RequestInit,
  read: (body: unknown) => T,
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    return failure(0, "network_error", "No connection to the server: check it and try again.");
  }
  if (response.status === 204) return { ok: true, value: read(null) };
  const body: unknown = await response.json().catch(() => undefined);
  return answerOf(response.status, body, read);
}

/** An answer's status and JSON body (undefined: unreadable) as an `ApiResult`. */
function answerOf<T>(status: number, body: unknown, read: (body: unknown) => T): ApiResult<T> {
  const ok = status >= 200 && status < 300;
  if (ok && body !== undefined) return { ok: true, value: read(body) };
  if (ok) return failure(status, "invalid_answer", "The server's answer was unreadable.");
  const error = (body as { error?: Partial<ApiError> } | undefined)?.error;
  return failure(
    status,
    typeof error?.code === "string" ? error.code : `http_${status}`,
    typeof error?.message === "string" ? error.message : `The server refused (${status}).`,
  );
}

function failure(status: number, code: string, message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { status, code, message } };
}
