/**
 * A member's profile card (from the member list): who they are, their roles, `Message`, and for
 * a moderator who outranks them `Kick`, `Ban` and `Time out` (API.md's screen names), each
 * asking first; `Message` opens a DM with them and `Block`/`Unblock` (components/DmActions.tsx).
 * Someone who is not a member (any more: an author who left) gets FormerMemberCard instead.
 */
import { useSignal } from "@preact/signals";
import type { WireMember } from "../../lib/realtime/protocol.ts";
import { banMember, kickMember, timeOutMember } from "../runtime/governance_api.ts";
import { outranks, rolesOf, serverPermissions } from "../runtime/permissions.ts";
import type { ServerState } from "../runtime/server_state.ts";
import { UserAvatar } from "../shared/UserAvatar.tsx";
import { Confirm } from "./Confirm.tsx";
import { DmActions } from "../components/DmActions.tsx";
import { FormerMemberCard } from "./FormerMemberCard.tsx";
import { BAN_DELETE_CHOICES, TIMEOUT_CHOICES, when } from "./labels.ts";
import { Modal } from "./Modal.tsx";
import { RoleDot } from "./RoleDot.tsx";
import { Status } from "./Status.tsx";
import type { Note } from "./Status.tsx";
import { INPUT, LABEL, SECONDARY } from "./styles.ts";

export interface ProfileCardProps {
  state: ServerState;
  /** Null (or absent) for someone who is not a member: then `userId` says who. */
  member?: WireMember | null;
  userId?: string;
  online: boolean;
  onClose: () => void;
}

export function ProfileCard(props: ProfileCardProps) {
  const { member, userId, onClose } = props;
  if (member) return <MemberCard {...props} member={member} />;
  return userId ? <FormerMemberCard userId={userId} onClose={onClose} /> : null;
}

function MemberCard(
  { state, member, online, onClose }: ProfileCardProps & { member: WireMember },
) {
  const note = useSignal<Note | null>(null);
  const reason = useSignal("");
  const deleteSeconds = useSignal("0");
  const duration = useSignal(String(TIMEOUT_CHOICES[3][1]));
  const { user } = member;
  const mine = serverPermissions(state, state.meId);
  const above = outranks(state, state.meId, user.id);
  const roles = rolesOf(state, user.id).filter((role) => role.id !== state.server.id)
    .sort((a, b) => b.position - a.position);
  const timedOut = member.timeoutUntil !== null && Date.parse(member.timeoutUntil) > Date.now();
  const report = (ok: boolean, text: string) => note.value = { text, error: !ok };
  const reasonField = (id: string) => (
    <div>
      <label for={id} class={LABEL}>Reason (optional)</label>
      <input
        id={id}
        class={INPUT}
        maxLength={512}
        value={reason.value}
        onInput={(event) => reason.value = event.currentTarget.value}
      />
    </div>
  );
  const given = () => reason.value.trim() || undefined;

  return (
    <Modal
      open
      onClose={onClose}
      title={user.displayName}
      class="m-auto w-[min(24rem,calc(100vw-2rem))] overflow-hidden rounded-2xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
    >
      <div class="space-y-4">
        <div class="flex items-center gap-3">
          <UserAvatar user={user} class="h-16 w-16" />
          <div class="min-w-0">
            <p class="truncate text-slate-700 dark:text-slate-300">@{user.username}</p>
            <p class="text-sm text-slate-600 dark:text-slate-400">
              {online ? "Online" : "Offline"}
              {user.id === state.server.ownerId && " · Server owner"}
            </p>
            <p class="text-sm text-slate-600 dark:text-slate-400">
              Member since {when(member.joinedAt)}
            </p>
          </div>
        </div>
        {user.bio && <p class="whitespace-pre-wrap text-sm">{user.bio}</p>}
        {roles.length > 0 && (
          <ul aria-label="Roles" class="flex flex-wrap gap-1">
            {roles.map((role) => (
              <li
                key={role.id}
                class="flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs dark:bg-slate-800"
              >
                <RoleDot color={role.color} />
                {role.name}
              </li>
            ))}
          </ul>
        )}
        {timedOut && (
          <p class="text-sm text-amber-800 dark:text-amber-300">
            Timed out until {when(member.timeoutUntil!)}.
          </p>
        )}
        {user.id !== state.meId && <DmActions user={user} note={note} />}
        {above && (mine.has("kick_members") || mine.has("ban_members") ||
          mine.has("moderate_members")) &&
          (
            <section
              aria-label="Moderation"
              class="space-y-2 border-t border-slate-200 pt-3 dark:border-slate-700"
            >
              {mine.has("moderate_members") && (
                timedOut
                  ? (
                    <button
                      type="button"
                      class={SECONDARY}
                      onClick={async () => {
                        const result = await timeOutMember(state.server.id, user.id, null);
                        report(result.ok, result.ok ? "Time-out lifted." : result.error.message);
                      }}
                    >
                      Remove time out
                    </button>
                  )
                  : (
                    <Confirm
                      label="Time out"
                      class={SECONDARY}
                      question={`${user.displayName} will not be able to send messages, react or type.`}
                      confirmLabel="Confirm time out"
                      onConfirm={async () => {
                        const until = new Date(Date.now() + Number(duration.value) * 1000);
                        const result = await timeOutMember(
                          state.server.id,
                          user.id,
                          until.toISOString(),
                          given(),
                        );
                        report(
                          result.ok,
                          result.ok
                            ? `Timed out until ${when(until.toISOString())}.`
                            : result.error.message,
                        );
                      }}
                    >
                      <div>
                        <label for="timeout-duration" class={LABEL}>Duration</label>
                        <select
                          id="timeout-duration"
                          class={INPUT}
                          value={duration.value}
                          onChange={(event) => duration.value = event.currentTarget.value}
                        >
                          {TIMEOUT_CHOICES.map(([label, seconds]) => (
                            <option key={seconds} value={seconds}>{label}</option>
                          ))}
                        </select>
                      </div>
                      {reasonField("timeout-reason")}
                    </Confirm>
                  )
              )}
              {mine.has("kick_members") && (
                <Confirm
                  label="Kick"
                  question={`Kick ${user.displayName} from ${state.server.name}? They can come back with an invite.`}
                  confirmLabel="Confirm kick"
                  onConfirm={async () => {
                    const result = await kickMember(state.server.id, user.id, given());
                    if (result.ok) onClose();
                    else report(false, result.error.message);
                  }}
                >
                  {reasonField("kick-reason")}
                </Confirm>
              )}
              {mine.has("ban_members") && (
                <Confirm
                  label="Ban"
                  question={`Ban ${user.displayName} from ${state.server.name}? They cannot come back until unbanned.`}
                  confirmLabel="Confirm ban"
                  onConfirm={async () => {
                    const result = await banMember(state.server.id, user.id, {
                      reason: given(),
                      deleteMessagesSeconds: Number(deleteSeconds.value),
                    });
                    if (result.ok) onClose();
                    else report(false, result.error.message);
                  }}
                >
                  <div>
                    <label for="ban-delete" class={LABEL}>Delete their recent messages</label>
                    <select
                      id="ban-delete"
                      class={INPUT}
                      value={deleteSeconds.value}
                      onChange={(event) => deleteSeconds.value = event.currentTarget.value}
                    >
                      {BAN_DELETE_CHOICES.map(([label, seconds]) => (
                        <option key={seconds} value={seconds}>{label}</option>
                      ))}
                    </select>
                  </div>
                  {reasonField("ban-reason")}
                </Confirm>
              )}
            </section>
          )}
        <Status note={note} />
      </div>
    </Modal>
  );
}
