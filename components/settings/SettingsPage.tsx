/**
 * The account settings page (the user panel's `Settings`): every section is a plain form that
 * posts and comes back with a notice or with its errors, so all of it works without JavaScript.
 */
import { AppHeader } from "../AppHeader.tsx";
import { StatusNotice } from "../StatusNotice.tsx";
import type { SessionView } from "../../lib/accounts/account_service.ts";
import type { PublicUser } from "../../lib/public_user.ts";
import type { FormErrors } from "../../routes/form_errors.ts";
import { DataExportSection } from "./DataExportSection.tsx";
import { DeleteAccountSection } from "./DeleteAccountSection.tsx";
import { EmailSection } from "./EmailSection.tsx";
import { PasswordSection } from "./PasswordSection.tsx";
import { ProfileSection } from "./ProfileSection.tsx";
import type { ProfileDraft } from "./ProfileSection.tsx";
import { SessionsSection } from "./SessionsSection.tsx";
import { TwoFactorSection } from "./TwoFactorSection.tsx";
import { NotificationSettings } from "../islands.ts";
import type { TwoFactorStep } from "./TwoFactorSection.tsx";

/** The forms of the page, each of which may come back with errors. */
export type SettingsForm =
  | "profile"
  | "avatar"
  | "password"
  | "sessions"
  | "twoFactor"
  | "email"
  | "delete";

export interface SettingsPageProps {
  user: PublicUser;
  sessions: SessionView[];
  twoFactor: TwoFactorStep;
  /** The address for password resets, if any. */
  email: string | null;
  /** Whether this server sends mail (`SMTP_URL`). */
  mailEnabled: boolean;
  /** A confirmation of what was just done ("Password changed."). */
  notice?: string;
  /** The form that failed, and why. */
  failed?: { form: SettingsForm; errors: FormErrors };
  profileDraft?: ProfileDraft;
  /** The address as typed, shown again after an error. */
  emailDraft?: string;
  /** The reader administers the instance: the header links to /admin. */
  admin?: boolean;
}

const SECTIONS = [
  ["profile", "Profile"],
  ["password", "Password"],
  ["sessions", "Sessions"],
  ["two-factor", "Two-factor authentication"],
  ["email", "E-mail"],
  ["notifications", "Notifications"],
  ["direct-messages", "Direct messages"],
  ["export", "Your data"],
  ["delete", "Delete account"],
] as const;

function SectionNav() {
  return (
    <nav aria-label="Settings sections" class="md:sticky md:top-6 md:self-start">
      <ul class="flex flex-wrap gap-1 md:flex-col">
        {SECTIONS.map(([id, label]) => (
          <li key={id}>
            <a
              href={`#${id}`}
              class="block rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
            >
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The whole page under the app's header. */
export function SettingsPage(props: SettingsPageProps) {
  const { user, sessions, twoFactor, notice, failed, profileDraft } = props;
  const errorsOf = (form: SettingsForm) => failed?.form === form ? failed.errors : undefined;
  return (
    <>
      <AppHeader user={user} current="profile" admin={props.admin} />
      <main class="mx-auto grid max-w-5xl gap-6 px-4 py-6 md:grid-cols-[13rem_1fr]">
        <h1 class="text-2xl font-bold md:col-span-2">Settings</h1>
        <SectionNav />
        <div class="min-w-0 space-y-6">
          <StatusNotice text={notice} />
          <ProfileSection
            user={user}
            draft={profileDraft}
            profileErrors={errorsOf("profile")}
            avatarErrors={errorsOf("avatar")}
          />
          <PasswordSection errors={errorsOf("password")} />
          <SessionsSection sessions={sessions} errors={errorsOf("sessions")} />
          <TwoFactorSection state={twoFactor} errors={errorsOf("twoFactor")} />
          <EmailSection
            email={props.email}
            mailEnabled={props.mailEnabled}
            draft={props.emailDraft}
            errors={errorsOf("email")}
          />
          <NotificationSettings
            dmPolicy={(user as { dmPolicy?: "everyone" | "server_members" | "nobody" }).dmPolicy ??
              "server_members"}
          />
          <DataExportSection />
          <DeleteAccountSection errors={errorsOf("delete")} />
        </div>
      </main>
    </>
  );
}
