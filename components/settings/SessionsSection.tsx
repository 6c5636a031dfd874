import { SubmitButton } from "../Button.tsx";
import { FormAlert } from "../AuthLayout.tsx";
import type { SessionView } from "../../lib/accounts/account_service.ts";
import type { FormErrors } from "../../routes/form_errors.ts";
import { deviceName } from "./device_name.ts";
import { SectionText, SettingsCard } from "./SettingsCard.tsx";
import { formatUtc } from "./times.ts";

const SMALL_BUTTON =
  "rounded-lg px-3 py-1.5 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 dark:text-slate-100 dark:ring-slate-700 dark:hover:bg-slate-800";

function Time({ iso }: { iso: string }) {
  return <time datetime={iso}>{formatUtc(iso)}</time>;
}

function SessionItem({ session }: { session: SessionView }) {
  const name = deviceName(session.userAgent);
  return (
    <li class="flex flex-wrap items-start gap-3 py-3">
      <div class="min-w-0 flex-1">
        <p class="font-medium">
          {name}
          {session.current && (
            <span class="ml-2 rounded-full bg-brand-50 px-2 py-0.5 text-xs font-semibold text-brand-700 dark:bg-slate-800 dark:text-white">
              This device
            </span>
          )}
        </p>
        {session.userAgent !== "" && session.userAgent !== name && (
          <p class="break-all text-xs text-slate-500 dark:text-slate-400">{session.userAgent}</p>
        )}
        <p class="text-sm text-slate-600 dark:text-slate-400">
          Signed in <Time iso={session.createdAt} />; last seen <Time iso={session.lastSeenAt} />
        </p>
      </div>
      {!session.current && (
        <form method="post" action="/settings/sessions/revoke">
          <input type="hidden" name="sessionId" value={session.id} />
          <button
            type="submit"
            class={SMALL_BUTTON}
            aria-label={`Log out ${name}, signed in ${formatUtc(session.createdAt)}`}
          >
            Log out
          </button>
        </form>
      )}
    </li>
  );
}

/** The Sessions section: where the account is signed in, each other one with `Log out`. */
export function SessionsSection(
  { sessions, errors }: { sessions: SessionView[]; errors?: FormErrors },
) {
  const others = sessions.filter((session) => !session.current).length;
  return (
    <SettingsCard id="sessions" title="Sessions">
      <SectionText>
        Where your account is signed in. Log out any you do not recognise, then change your
        password.
      </SectionText>
      <FormAlert message={errors?.form} />
      <ul aria-label="Sessions" class="divide-y divide-slate-200 dark:divide-slate-800">
        {sessions.map((session) => <SessionItem key={session.id} session={session} />)}
      </ul>
      {others > 0 && (
        <form method="post" action="/settings/sessions/revoke-others" class="mt-4">
          <SubmitButton variant="secondary">Log out all other sessions</SubmitButton>
        </form>
      )}
    </SettingsCard>
  );
}
