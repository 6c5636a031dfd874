/**
 * The instance administration page (`/admin`, ADMIN_USERNAMES only): a page of users with, per
 * user, a form to suspend or reinstate them and one to make a password reset link. Every
 * action is a plain form, so the page works without JavaScript.
 */
import { AppHeader } from "../AppHeader.tsx";
import { StatusNotice } from "../StatusNotice.tsx";
import { FormAlert } from "../AuthLayout.tsx";
import { SubmitButton } from "../Button.tsx";
import type { AdminUserView } from "../../lib/accounts/admin_service.ts";
import type { PublicUser } from "../../lib/public_user.ts";

/** A user of the list, and whether they are one of the administrators. */
export interface AdminRow extends AdminUserView {
  admin: boolean;
}

/** Where the forms send the browser back to: the same page of the list. */
export interface ListPlace {
  after?: string;
  limit?: string;
}

/** A reset link just made, shown once to copy (it is never put in a URL). */
export interface MadeResetLink {
  username: string;
  url: string;
}

export interface AdminPageProps {
  user: PublicUser;
  rows: AdminRow[];
  /** The cursor of the following page, or null on the last one. */
  next: string | null;
  place: ListPlace;
  /** A confirmation of what was just done ("ada is suspended."). */
  notice?: string;
  /** Why the last action was refused. */
  error?: string;
  resetLink?: MadeResetLink;
}

/** The path of the list's page at `place`. */
export function adminListPath({ after, limit }: ListPlace): string {
  const query = new URLSearchParams();
  if (after) query.set("after", after);
  if (limit) query.set("limit", limit);
  const search = query.toString();
  return search ? `/admin?${search}` : "/admin";
}

const LINK = "font-semibold text-brand-600 hover:underline dark:text-brand-100";
const CELL = "px-3 py-2 align-top";

function PlaceFields({ place }: { place: ListPlace }) {
  return (
    <>
      {place.after && <input type="hidden" name="after" value={place.after} />}
      {place.limit && <input type="hidden" name="limit" value={place.limit} />}
    </>
  );
}

function SuspensionForm({ row, place }: { row: AdminRow; place: ListPlace }) {
  if (row.admin) {
    return (
      <p class="text-sm text-slate-600 dark:text-slate-400">
        Administrators cannot be suspended.
      </p>
    );
  }
  return (
    <form method="post" action={`/admin/users/${encodeURIComponent(row.id)}/suspension`}>
      <PlaceFields place={place} />
      <input type="hidden" name="suspended" value={row.suspended ? "false" : "true"} />
      <SubmitButton variant={row.suspended ? "secondary" : "danger"}>
        {row.suspended ? "Reinstate" : "Suspend"}
        <span class="sr-only">{` ${row.username}`}</span>
      </SubmitButton>
    </form>
  );
}

function ResetLinkForm({ row, place }: { row: AdminRow; place: ListPlace }) {
  return (
    <form method="post" action={`/admin/users/${encodeURIComponent(row.id)}/password-reset`}>
      <PlaceFields place={place} />
      <SubmitButton variant="secondary">
        Make reset link<span class="sr-only">{` for ${row.username}`}</span>
      </SubmitButton>
    </form>
  );
}

function UserRow({ row, place }: { row: AdminRow; place: ListPlace }) {
  const created = new Date(row.createdAt);
  return (
    <tr class="border-t border-slate-200 dark:border-slate-800">
      <th scope="row" class={`${CELL} text-left font-medium`}>
        {row.username}
        {row.admin && (
          <span class="ml-2 rounded bg-brand-50 px-1.5 py-0.5 text-xs text-brand-700 dark:bg-slate-800 dark:text-brand-100">
            Administrator
          </span>
        )}
      </th>
      <td class={CELL}>{row.displayName}</td>
      <td class={CELL}>
        <time datetime={created.toISOString()}>{created.toISOString().slice(0, 10)}</time>
      </td>
      <td class={CELL}>{row.suspended ? "Suspended" : "Active"}</td>
      <td class={CELL}>
        <div class="flex flex-wrap items-center gap-2">
          <SuspensionForm row={row} place={place} />
          <ResetLinkForm row={row} place={place} />
        </div>
      </td>
    </tr>
  );
}

function ResetLinkNotice({ link }: { link: MadeResetLink }) {
  return (
    <div
      role="status"
      class="space-y-2 rounded-lg border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800 dark:border-green-900 dark:bg-green-950 dark:text-green-300"
    >
      <label for="reset-link" class="block">
        A reset link for{" "}
        {link.username}: it works once, within an hour. Copy it and send it to them.
      </label>
      <input
        id="reset-link"
        readOnly
        value={link.url}
        class="block w-full rounded border border-green-300 bg-white px-2 py-1 font-mono text-slate-900 dark:border-green-800 dark:bg-slate-900 dark:text-slate-100"
      />
    </div>
  );
}

/** The whole page under the app's header. */
export function AdminPage(props: AdminPageProps) {
  const { rows, next, place } = props;
  return (
    <>
      <AppHeader user={props.user} current="admin" admin />
      <main class="mx-auto max-w-5xl space-y-4 px-4 py-6">
        <h1 class="text-2xl font-bold">Administration</h1>
        <FormAlert message={props.error} />
        <StatusNotice text={props.notice} />
        {props.resetLink && <ResetLinkNotice link={props.resetLink} />}
        <div class="overflow-x-auto rounded-2xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
          <table class="w-full text-sm">
            <caption class="px-3 py-2 text-left text-lg font-semibold">Users</caption>
            <thead>
              <tr class="text-left text-slate-600 dark:text-slate-400">
                <th scope="col" class={CELL}>Username</th>
                <th scope="col" class={CELL}>Display name</th>
                <th scope="col" class={CELL}>Created</th>
                <th scope="col" class={CELL}>Status</th>
                <th scope="col" class={CELL}>Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => <UserRow key={row.id} row={row} place={place} />)}
            </tbody>
          </table>
        </div>
        <nav aria-label="Pages of users" class="flex gap-4 text-sm">
          {place.after && (
            <a href={adminListPath({ limit: place.limit })} class={LINK}>First page</a>
          )}
          {next && (
            <a href={adminListPath({ after: next, limit: place.limit })} class={LINK}>Next page</a>
          )}
        </nav>
      </main>
    </>
  );
}
