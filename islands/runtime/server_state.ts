/**
 * The open server as every island of the page sees it: its record, channels, roles and members,
 * seeded from what the page rendered and kept live by the governance events (API.md). One
 * signal per page (islands share this module), so a role given in the settings dialog shows
 * in the member list at once, and an event updates every island together.
 *
 * `gone` says when the page's server or channel went away under the reader (deleted, or the
 * reader was kicked or banned, or lost the right to view the channel), for the notice.
 */
import { signal } from "@preact/signals";
import type {
  ServerEvent,
  WireChannel,
  WireMember,
  WireRole,
  WireServer,
} from "../../lib/realtime/protocol.ts";
import { onEvent, startSocket } from "./socket_client.ts";

export interface ServerState {
  server: WireServer;
  channels: WireChannel[];
  roles: WireRole[];
  members: WireMember[];
  /** The reader's user id. */
  meId: string;
  /** The channel the page shows. */
  channelId: string;
}

/** Why the page's server or channel is no longer there. */
export type Gone =
  | { kind: "server"; name: string; reason: "deleted" | "kicked" | "banned" | "removed" | "left" }
  | { kind: "channel"; name: string; next: WireChannel | undefined };

/** The open server; null until an island seeds it (in the browser, or per render on the server). */
export const serverState = signal<ServerState | null>(null);
export const gone = signal<Gone | null>(null);

let listening = false;

/**
 * The page's server state: seeds it on first use (later islands share the first seed, which
 * events may have updated since), and subscribes once to the socket.
 */
export function useServerState(seed: ServerState): ServerState {
  // On the server each render starts from its own seed: nothing is shared between requests.
  if (typeof document === "undefined") return seed;
  if (!serverState.value || serverState.value.server.id !== seed.server.id) {
    serverState.value = seed;
  }
  if (!listening) {
    listening = true;
    startSocket();
    onEvent(apply);
  }
  return serverState.value;
}

/** Replaces (or appends) the item with the same id. */
function upsert<T>(items: T[], item: T, id: (item: T) => string): T[] {
  const found = items.some((existing) => id(existing) === id(item));
  return found ? items.map((existing) => id(existing) === id(item) ? item : existing) : [
    ...items,
    item,
  ];
}

const channelId = (channel: WireChannel) => channel.id;
const roleId = (role: WireRole) => role.id;
const memberId = (member: WireMember) => member.user.id;

function apply(event: ServerEvent): void {
  const state = serverState.value;
  if (!state) return;
  const next = reduce(state, event);
  if (next !== state) serverState.value = next;
}

/**
 * The state after one event (the same object when the event is about something else); an event
 * that takes the page's server or channel away also sets `gone`.
 */
export function reduce(state: ServerState, event: ServerEvent): ServerState {
  const here = state.server.id;
  switch (event.type) {
    case "server_updated":
      return event.server.id === here ? { ...state, server: event.server } : state;
    case "server_deleted":
    case "server_left":
      if (event.serverId !== here) return state;
      if (!gone.value || gone.value.kind !== "server") {
        gone.value = {
          kind: "server",
          name: state.server.name,
          reason: event.type === "server_left" ? "left" : "removed",
        };
      }
      return state;
    case "channel_created":
    case "channel_updated":
      if (event.channel.serverId !== here) return state;
      return { ...state, channels: upsert(state.channels, event.channel, channelId) };
    case "channel_deleted": {
      if (event.serverId !== here) return state;
      const channels = state.channels.filter((channel) => channel.id !== event.channelId);
      if (event.channelId === state.channelId) {
        const lost = state.channels.find((channel) => channel.id === event.channelId);
        gone.value = {
          kind: "channel",
          name: lost?.name ?? "this channel",
          next: channels.find((channel) => channel.kind !== "category"),
        };
      }
      return { ...state, channels };
    }
    case "role_created":
    case "role_updated":
      if (event.role.serverId !== here) return state;
      return { ...state, roles: upsert(state.roles, event.role, roleId) };
    case "role_deleted":
      if (event.serverId !== here) return state;
      return {
        ...state,
        roles: state.roles.filter((role) => role.id !== event.roleId),
        members: state.members.map((member) =>
          member.roles.includes(event.roleId)
            ? { ...member, roles: member.roles.filter((id) => id !== event.roleId) }
            : member
        ),
      };
    case "member_updated":
      if (event.serverId !== here) return state;
      return { ...state, members: upsert(state.members, event.member, memberId) };
    case "member_joined":
      if (event.serverId !== here || state.members.some((m) => m.user.id === event.user.id)) {
        return state;
      }
      return {
        ...state,
        members: [...state.members, {
          user: event.user,
          roles: [],
          joinedAt: new Date().toISOString(),
          timeoutUntil: null,
        }],
      };
    case "member_left":
      if (event.serverId !== here) return state;
      if (event.user.id === state.meId && event.reason && event.reason !== "left") {
        gone.value = { kind: "server", name: state.server.name, reason: event.reason };
      }
      return { ...state, members: state.members.filter((m) => m.user.id !== event.user.id) };
    case "user_updated": {
      // A profile or avatar change: the member list and profile cards show it at once.
      if (!state.members.some((m) => m.user.id === event.user.id)) return state;
      return {
        ...state,
        members: state.members.map((m) =>
          m.user.id === event.user.id ? { ...m, user: event.user } : m
        ),
      };
    }
    default:
      return state;
  }
}
