/**
 * Who is here: the member list (a list named `Members`) with online status, who is typing in
 * this channel, and the connection banner ("Reconnecting…"). Each member opens a profile card
 * (with moderation for those who may). Kept live by presence, member, role and typing events.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { connection, latestReady, onEvent, startSocket } from "./runtime/socket_client.ts";
import { rolesOf } from "./runtime/permissions.ts";
import { useServerState } from "./runtime/server_state.ts";
import type { ServerState } from "./runtime/server_state.ts";
import { lazy } from "./shared/lazy.tsx";

/** Its code loads when a card first opens (the chat page's JavaScript budget). */
const ProfileCard = lazy(() =>
  import("./governance/ProfileCard.tsx").then((loaded) => loaded.ProfileCard)
);
import { profileOf } from "./runtime/conversation_ui.ts";
import { RoleDot } from "./governance/RoleDot.tsx";
import { UserAvatar } from "./shared/UserAvatar.tsx";

export interface ChatPresenceProps {
  serverId: string;
  channelId: string;
  meId: string;
  /** The server's state (members with their roles), shared with the other islands. */
  seed: ServerState;
  online: string[];
}

/** A typing notice lasts this long unless renewed. */
const TYPING_SHOWN_MS = 6000;

export default function ChatPresence(
  { channelId, meId, seed, online }: ChatPresenceProps,
) {
  const state = useServerState(seed);
  const shownCard = useSignal<string | null>(null);
  const here = useSignal(new Set(online));
  const typing = useSignal(new Map<string, { name: string; until: number }>());

  useEffect(() => {
    // `ready` lists who is online now: what changed between the page's render and the socket
    // (or while it was down) never comes as an event. One that came before this island
    // mounted (another island opened the socket) counts too.
    const online = latestReady()?.online;
    if (online) here.value = new Set(online);
    startSocket();
    const expire = setInterval(() => {
      const now = Date.now();
      const live = [...typing.value].filter(([, entry]) => entry.until > now);
      if (live.length !== typing.value.size) typing.value = new Map(live);
    }, 1000);
    const stop = onEvent((event) => {
      if (event.type === "ready") {
        if (event.online) here.value = new Set(event.online);
      } else if (event.type === "presence") {
        const next = new Set(here.value);
        if (event.status === "online") next.add(event.userId);
        else next.delete(event.userId);
        here.value = next;
      } else if (
        event.type === "typing" && event.channelId === channelId && event.user.id !== meId
      ) {
        typing.value = new Map(typing.value).set(event.user.id, {
          name: event.user.displayName,
          until: Date.now() + TYPING_SHOWN_MS,
        });
      } else if (event.type === "message" && event.message.channelId === channelId) {
        const next = new Map(typing.value);
        if (next.delete(event.message.author.id)) typing.value = next;
      }
    });
    return () => {
      clearInterval(expire);
      stop();
    };
  }, []);

  const names = [...typing.value.values()].map((entry) => entry.name);
  const people = state.members.map((member) => member.user);
  const onlineCount = people.filter((person) => here.value.has(person.id)).length;
  // From the member list, or from a name or avatar in the messages.
  // A card opened from the member list is a member's: it closes when they leave (a kick, a
  // ban); one opened from a name in the messages may be a former member's.
  const listed = state.members.find((member) => member.user.id === shownCard.value);
  const cardId = (listed ? shownCard.value : null) ?? profileOf.value;
  const card = listed ?? state.members.find((member) => member.user.id === cardId);
  const until = state.members.find((member) => member.user.id === meId)?.timeoutUntil;
  const myTimeout = until && Date.parse(until) > Date.now() ? until : null;
  const sorted = [...people].sort((a, b) =>
    Number(here.value.has(b.id)) - Number(here.value.has(a.id)) ||
    a.displayName.localeCompare(b.displayName)
  );
  return (
    <>
      <div class="flex h-5 gap-2 px-4 text-xs text-slate-500 dark:text-slate-400">
        <span aria-live="polite" data-testid="typing" class="min-w-0 flex-1 truncate">
          {names.length === 1 && `${names[0]} is typing…`}
          {names.length === 2 && `${names[0]} and ${names[1]} are typing…`}
          {names.length > 2 && "Several people are typing…"}
        </span>
        <span class="shrink-0 lg:hidden" data-testid="online-count">
          {onlineCount} of {people.length} online
        </span>
      </div>
      {myTimeout && (
        <p role="status" class="bg-amber-100 px-4 py-1 text-center text-sm text-amber-900">
          You are timed out until{" "}
          {new Date(myTimeout).toLocaleString()}: you can read, but not send, react or type.
        </p>
      )}
      {connection.value === "reconnecting" && (
        <p role="status" class="bg-amber-100 px-4 py-1 text-center text-sm text-amber-900">
          Reconnecting… messages you send will go out when the connection is back.
        </p>
      )}
      <aside
        id="members"
        aria-label="Members"
        class="fixed bottom-0 right-0 top-0 z-30 hidden w-60 shrink-0 overflow-y-auto border-l border-slate-200 bg-slate-50 p-3 shadow-2xl transition-transform duration-200 target:block data-[open]:block max-lg:starting:translate-x-full lg:z-auto lg:block lg:shadow-none dark:border-slate-800 dark:bg-slate-900"
      >
        <div class="flex items-center px-2 pb-2">
          <h2 class="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
            Members — {onlineCount} online
          </h2>
          <a
            href="#"
            data-drawer-close=""
            class="ml-auto rounded px-2 text-lg text-slate-500 dark:text-slate-400 lg:hidden"
            aria-label="Close the member list"
          >
            ×
          </a>
        </div>
        <ul aria-label="Members" class="space-y-0.5">
          {sorted.map((person) => {
            const top = rolesOf(state, person.id).filter((role) => role.color !== null)
              .sort((a, b) => b.position - a.position)[0];
            return (
              <li key={person.id} data-online={here.value.has(person.id) ? "" : undefined}>
                <button
                  type="button"
                  aria-haspopup="dialog"
                  onClick={() => shownCard.value = person.id}
                  class="flex w-full items-center gap-2 rounded-md px-2 py-1 text-left hover:bg-slate-200 dark:hover:bg-slate-800"
                >
                  <span class="relative">
                    <UserAvatar user={person} class="h-8 w-8" decorative />
                    <span
                      class={`absolute -bottom-0.5 -right-0.5 h-3 w-3 rounded-full border-2 border-slate-50 dark:border-slate-900 ${
                        here.value.has(person.id) ? "bg-green-500" : "bg-slate-400"
                      }`}
                    />
                  </span>
                  <span
                    class={`min-w-0 flex-1 truncate text-sm ${
                      here.value.has(person.id) ? "" : "text-slate-500 dark:text-slate-400"
                    }`}
                  >
                    {person.displayName}
                    <span class="sr-only">
                      {here.value.has(person.id) ? " (online)" : " (offline)"}
                    </span>
                  </span>
                  {top && <RoleDot color={top.color} />}
                </button>
              </li>
            );
          })}
        </ul>
        {cardId && (
          <ProfileCard
            state={state}
            member={card}
            userId={cardId}
            online={here.value.has(cardId)}
            onClose={() => {
              shownCard.value = null;
              profileOf.value = null;
            }}
          />
        )}
      </aside>
    </>
  );
}
