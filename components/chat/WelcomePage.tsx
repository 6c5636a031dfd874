import type { UnreadMap } from "../../islands/runtime/unread.ts";
import { SERVER_NAME_MAX_LENGTH } from "../../lib/limits.ts";
import type { PublicUser } from "../../lib/public_user.ts";
import type { WireServer } from "../../lib/realtime/protocol.ts";
import { AppHeader } from "../AppHeader.tsx";
import { FormAlert } from "../AuthLayout.tsx";
import { SubmitButton } from "../Button.tsx";
import { ServerRail } from "../islands.ts";
import { TextField } from "../TextField.tsx";

/** What the welcome page may show: a form's refusal, with what was typed. */
export interface WelcomeNotices {
  error?: string;
  serverName?: string;
  inviteInput?: string;
}

/**
 * `/chat` for someone to create or join a server: their first visit, or `/chat?new` from the
 * rail's "+".
 */
export function WelcomePage({ user, servers, unread, notices = {} }: {
  user: PublicUser;
  servers: WireServer[];
  /** Unread state of every server of the reader, for the rail. */
  unread: UnreadMap;
  notices?: WelcomeNotices;
}) {
  return (
    <>
      <AppHeader user={user} current="chat" />
      <div class="flex min-h-[calc(100vh-57px)]">
        <ServerRail
          servers={servers}
          unread={unread}
          me={{ id: user.id, username: user.username }}
        />
        <main class="mx-auto w-full max-w-xl space-y-6 px-4 py-8">
          <h1 class="text-2xl font-bold">
            {servers.length ? "Create or join another server" : `Welcome, ${user.displayName}!`}
          </h1>
          <p class="text-slate-600 dark:text-slate-300">
            A server is a home for your group, with channels to talk in. Create one and invite your
            friends, or join one with an invite link.
          </p>
          <FormAlert message={notices.error} />
          <form
            method="post"
            action="/chat/servers"
            class="space-y-3 rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
          >
            <h2 class="text-lg font-semibold">Create a server</h2>
            <TextField
              name="name"
              label="Server name"
              value={notices.serverName ?? ""}
              required
              maxLength={SERVER_NAME_MAX_LENGTH}
            />
            <SubmitButton>Create server</SubmitButton>
          </form>
          <form
            method="post"
            action="/chat/join"
            class="space-y-3 rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
          >
            <h2 class="text-lg font-semibold">Join with an invite</h2>
            <TextField
              name="invite"
              label="Invite link or code"
              value={notices.inviteInput ?? ""}
              required
              spellcheck={false}
            />
            <SubmitButton variant="secondary">Join server</SubmitButton>
          </form>
        </main>
      </div>
    </>
  );
}
