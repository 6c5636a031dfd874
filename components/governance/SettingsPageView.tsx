/**
 * `/chat/:serverId/settings` without JavaScript: the server settings as plain forms (the
 * islands' dialog does the same with the JSON API). Each section shows only to those who may
 * use it; destructive actions (kick, ban, deleting a channel) go through a confirmation page.
 */
import type { ComponentChildren } from "preact";
import { orderedChannels } from "../../islands/runtime/channel_order.ts";
import { outranks, serverPermissions } from "../../islands/runtime/permissions.ts";
import type { PermissionScope } from "../../islands/runtime/permissions.ts";
import {
  BAN_DELETE_CHOICES,
  INVITE_AGE_CHOICES,
  INVITE_USE_CHOICES,
  TIMEOUT_CHOICES,
} from "../../islands/governance/labels.ts";
import { INPUT, LABEL, PRIMARY, SECONDARY } from "../../islands/governance/styles.ts";
import { CHANNEL_NAME_MAX_LENGTH, SERVER_NAME_MAX_LENGTH } from "../../lib/limits.ts";
import type {
  WireBan,
  WireChannel,
  WireInvite,
  WireMember,
  WireRole,
  WireServer,
} from "../../lib/realtime/protocol.ts";
import { FormAlert } from "../AuthLayout.tsx";
import { StatusNotice } from "../StatusNotice.tsx";

export interface SettingsPageData extends PermissionScope {
  server: WireServer;
  channels: WireChannel[];
  members: WireMember[];
  roles: WireRole[];
  meId: string;
  /** Null when the reader may not list them. */
  invites: WireInvite[] | null;
  bans: WireBan[] | null;
}

export interface SettingsPageNotices {
  error?: string;
  info?: string;
}

const LINK = "font-semibold text-brand-700 hover:underline dark:text-brand-100";

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section
      aria-label={title}
      class="space-y-3 rounded-xl bg-white p-4 shadow-sm dark:bg-slate-900"
    >
      <h2 class="text-lg font-bold">{title}</h2>
      {children}
    </section>
  );
}

function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

export function SettingsPageView(
  { data, notices = {} }: { data: SettingsPageData; notices?: SettingsPageNotices },
) {
  const { server, meId } = data;
  const may = serverPermissions(data, meId);
  const base = `/chat/${server.id}`;
  const back = `${base}`;
  const names = new Map(data.members.map((m) => [m.user.id, m.user.displayName]));
  return (
    <main class="mx-auto max-w-3xl space-y-4 px-4 py-6">
      <p>
        <a href={back} class={LINK}>← Back to {server.name}</a>
      </p>
      <h1 class="text-2xl font-bold">{server.name}: server settings</h1>
      <FormAlert message={notices.error} />
      <StatusNotice text={notices.info} />

      {may.has("manage_server") && (
        <Section title="Overview">
          <form method="post" action={`${base}/settings`} class="space-y-2">
            <label for="server-name" class={LABEL}>Server name</label>
            <div class="flex gap-2">
              <input
                id="server-name"
                name="name"
                required
                maxLength={SERVER_NAME_MAX_LENGTH}
                value={server.name}
                class={INPUT}
              />
              <button type="submit" class={PRIMARY}>Save</button>
            </div>
          </form>
        </Section>
      )}

      {may.has("manage_channels") && (
        <Section title="Channels">
          <ul class="space-y-2">
            {orderedChannels(data.channels).map((channel) => (
              <li key={channel.id} class="flex flex-wrap items-end gap-2">
                <form
                  method="post"
                  action={`${base}/${channel.id}/rename`}
                  class="flex min-w-0 flex-1 items-end gap-2"
                >
                  <div class="min-w-0 flex-1">
                    <label for={`rename-${channel.id}`} class={LABEL}>
                      Name of #{channel.name}
                    </label>
                    <input
                      id={`rename-${channel.id}`}
                      name="name"
                      required
                      maxLength={CHANNEL_NAME_MAX_LENGTH}
                      value={channel.name}
                      class={INPUT}
                    />
                  </div>
                  <button type="submit" class={SECONDARY}>Rename</button>
                </form>
                <a href={`${base}/${channel.id}/delete`} class={`${SECONDARY} inline-block`}>
                  Delete #{channel.name}
                </a>
              </li>
            ))}
          </ul>
          <form method="post" action={`${base}/channels`} class="flex items-end gap-2">
            <div class="min-w-0 flex-1">
              <label for="create-channel" class={LABEL}>New channel name</label>
              <input
                id="create-channel"
                name="name"
                required
                maxLength={CHANNEL_NAME_MAX_LENGTH}
                class={INPUT}
              />
            </div>
            <button type="submit" class={PRIMARY}>Create channel</button>
          </form>
        </Section>
      )}

      {(may.has("kick_members") || may.has("ban_members") || may.has("moderate_members")) && (
        <Section title="Members">
          <ul class="divide-y divide-slate-200 dark:divide-slate-700">
            {data.members.map((member) => {
              const { user } = member;
              const above = outranks(data, meId, user.id);
              return (
                <li key={user.id} class="flex flex-wrap items-center gap-2 py-2">
                  <span class="min-w-0 flex-1">
                    <span class="font-semibold">{user.displayName}</span>{" "}
                    <span class="text-sm text-slate-600 dark:text-slate-300">@{user.username}</span>
                  </span>
                  {above && may.has("kick_members") && (
                    <a href={`${base}/members/${user.id}/kick`} class={SECONDARY}>
                      Kick {user.displayName}
                    </a>
                  )}
                  {above && may.has("ban_members") && (
                    <a href={`${base}/members/${user.id}/ban`} class={SECONDARY}>
                      Ban {user.displayName}
                    </a>
                  )}
                  {above && may.has("moderate_members") && (
                    <form
                      method="post"
                      action={`${base}/members/${user.id}/timeout`}
                      class="flex gap-1"
                    >
                      <label for={`timeout-${user.id}`} class="sr-only">
                        Time out {user.displayName} for
                      </label>
                      <select
                        id={`timeout-${user.id}`}
                        name="seconds"
                        class="rounded border border-slate-400 text-sm dark:bg-slate-950"
                      >
                        <option value="0">Lift time-out</option>
                        {TIMEOUT_CHOICES.map(([label, seconds]) => (
                          <option key={seconds} value={seconds}>{label}</option>
                        ))}
                      </select>
                      <button type="submit" class={SECONDARY}>Time out</button>
                    </form>
                  )}
                </li>
              );
            })}
          </ul>
        </Section>
      )}

      {may.has("create_invites") && (
        <Section title="Invites">
          <form method="post" action={`${base}/invites`} class="flex flex-wrap items-end gap-2">
            <div>
              <label for="invite-age" class={LABEL}>Expire after</label>
              <select id="invite-age" name="maxAgeSeconds" class={INPUT}>
                {INVITE_AGE_CHOICES.map(([label, seconds]) => (
                  <option key={seconds} value={seconds}>{label}</option>
                ))}
              </select>
            </div>
            <div>
              <label for="invite-uses" class={LABEL}>Max uses</label>
              <select id="invite-uses" name="maxUses" class={INPUT}>
                {INVITE_USE_CHOICES.map(([label, count]) => (
                  <option key={count} value={count}>{label}</option>
                ))}
              </select>
            </div>
            <button type="submit" class={PRIMARY}>Create invite</button>
          </form>
          {data.invites && (
            <ul aria-label="Invites" class="divide-y divide-slate-200 dark:divide-slate-700">
              {data.invites.map((invite) => (
                <li key={invite.code} class="flex flex-wrap items-center gap-2 py-2 text-sm">
                  <code>{invite.code}</code>
                  <span class="min-w-0 flex-1 text-slate-600 dark:text-slate-300">
                    by {names.get(invite.createdBy) ?? "a former member"} · {invite.uses}
                    {invite.maxUses ? ` of ${invite.maxUses}` : ""} uses ·{" "}
                    {invite.expiresAt ? `expires ${when(invite.expiresAt)}` : "never expires"}
                  </span>
                  <form method="post" action={`${base}/invites/${invite.code}/revoke`}>
                    <button type="submit" class={SECONDARY}>Revoke {invite.code}</button>
                  </form>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}

      {data.bans && (
        <Section title="Bans">
          {data.bans.length === 0 && <p class="text-sm">Nobody is banned.</p>}
          <ul class="divide-y divide-slate-200 dark:divide-slate-700">
            {data.bans.map((ban) => (
              <li key={ban.user.id} class="flex items-center gap-2 py-2 text-sm">
                <span class="min-w-0 flex-1">
                  <span class="font-semibold">{ban.user.displayName}</span>
                  {ban.reason ? ` · ${ban.reason}` : ""}
                </span>
                <form method="post" action={`${base}/bans/${ban.user.id}/unban`}>
                  <button type="submit" class={SECONDARY}>Unban {ban.user.displayName}</button>
                </form>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </main>
  );
}

/** The confirmation page of a kick, a ban or a channel's deletion (no JavaScript needed). */
export function ConfirmPageView(
  { title, text, action, confirm, back, reason = false, ban = false }: {
    title: string;
    text: string;
    action: string;
    confirm: string;
    back: string;
    /** A kick or a ban asks for a reason (for the audit log). */
    reason?: boolean;
    /** A ban also asks what to delete of the member's messages. */
    ban?: boolean;
  },
) {
  return (
    <main class="mx-auto max-w-md space-y-4 px-4 py-10">
      <h1 class="text-2xl font-bold">{title}</h1>
      <p>{text}</p>
      <form method="post" action={action} class="space-y-3">
        {reason && (
          <div>
            <label for="reason" class={LABEL}>Reason (optional)</label>
            <input id="reason" name="reason" maxLength={512} class={INPUT} />
          </div>
        )}
        {ban && (
          <div>
            <label for="delete-messages" class={LABEL}>Delete their recent messages</label>
            <select id="delete-messages" name="deleteMessagesSeconds" class={INPUT}>
              {BAN_DELETE_CHOICES.map(([label, seconds]) => (
                <option key={seconds} value={seconds}>{label}</option>
              ))}
            </select>
          </div>
        )}
        <div class="flex justify-end gap-2">
          <a href={back} class={SECONDARY}>Cancel</a>
          <button
            type="submit"
            class="rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800"
          >
            {confirm}
          </button>
        </div>
      </form>
    </main>
  );
}
