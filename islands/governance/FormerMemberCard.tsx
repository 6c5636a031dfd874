/**
 * The profile card of someone who is not a member of this server (any more): an author who
 * left or was removed. Read from `GET /api/users/:id` (name, username, bio; no roles and no
 * moderation, which only members have), or, when that is 404 (no server shared any more), a
 * short card saying the person is no longer here, so a name in the history never does nothing.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { WireUser } from "../../lib/realtime/protocol.ts";
import { getUser } from "../runtime/api.ts";
import { UserAvatar } from "../shared/UserAvatar.tsx";
import { Modal } from "./Modal.tsx";

const CARD =
  "m-auto w-[min(24rem,calc(100vw-2rem))] overflow-hidden rounded-2xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100";
const NOTE = "text-sm text-slate-600 dark:text-slate-400";

/** What the card knows: still asking, the user, or that they are gone (or an error's text). */
type Found = { user: WireUser } | { gone: true } | { error: string } | null;

export function FormerMemberCard({ userId, onClose }: { userId: string; onClose: () => void }) {
  const found = useSignal<Found>(null);
  useEffect(() => {
    let live = true;
    found.value = null;
    getUser(userId).then((result) => {
      if (!live) return;
      found.value = result.ok
        ? { user: result.value }
        : result.error.status === 404
        ? { gone: true }
        : { error: result.error.message };
    });
    return () => live = false;
  }, [userId]);
  const shown = found.value;
  if (shown && "user" in shown) {
    const { user } = shown;
    return (
      <Modal open onClose={onClose} title={user.displayName} class={CARD}>
        <div class="space-y-4">
          <div class="flex items-center gap-3">
            <UserAvatar user={user} class="h-16 w-16" />
            <div class="min-w-0">
              <p class="truncate text-slate-700 dark:text-slate-300">@{user.username}</p>
              <p class={NOTE}>Not a member of this server</p>
            </div>
          </div>
          {user.bio && <p class="whitespace-pre-wrap text-sm">{user.bio}</p>}
        </div>
      </Modal>
    );
  }
  return (
    <Modal open onClose={onClose} title={shown ? "No longer here" : "Profile"} class={CARD}>
      <p class={NOTE} role={shown ? undefined : "status"}>
        {!shown
          ? "Loading the profile…"
          : "error" in shown
          ? shown.error
          : "This person is no longer here: you share no server with them any more."}
      </p>
    </Modal>
  );
}
