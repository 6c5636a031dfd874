/**
 * Who can be mentioned in a server: its members' usernames, seeded from the page and kept live
 * as members join and leave, so `@name` is highlighted only for an actual member.
 */
import { useComputed, useSignal } from "@preact/signals";
import type { ReadonlySignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { onEvent } from "../runtime/socket_client.ts";

/** The usernames as a set; undefined when the page did not say (every `@name` then counts). */
export function useMentionable(
  serverId: string | undefined,
  usernames: string[] | undefined,
): ReadonlySignal<ReadonlySet<string> | undefined> {
  const names = useSignal(usernames);
  useEffect(() => {
    if (!usernames) return;
    return onEvent((event) => {
      if (event.type !== "member_joined" && event.type !== "member_left") return;
      if (event.serverId !== serverId) return;
      const others = (names.value ?? []).filter((name) => name !== event.user.username);
      names.value = event.type === "member_joined" ? [...others, event.user.username] : others;
    });
  }, []);
  // One set per change of the list: message rows are memoised on it.
  return useComputed(() => names.value && new Set(names.value.map((name) => name.toLowerCase())));
}
