/**
 * /admin: the instance administration page (components/admin/AdminPage.tsx) and its forms, for
 * the users of ADMIN_USERNAMES only; everyone else gets the 404 page, as if it did not exist.
 * Suspending or reinstating redirects back to the same page of the list with a notice; a reset
 * link is shown in the answer itself, never put in a URL (it would stay in the history).
 */
import { Hono } from "hono";
import type { Context, Next } from "hono";
import { adminListPath, AdminPage } from "../../components/admin/AdminPage.tsx";
import type { AdminPageProps, ListPlace } from "../../components/admin/AdminPage.tsx";
import { HttpError, NotFound } from "../../lib/errors.ts";
import { FORM_BODY_MAX_BYTES } from "../../lib/limits.ts";
import { toPublicUser } from "../../lib/public_user.ts";
import { normalizeUsername } from "../../lib/text.ts";
import { clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { linkOrigin } from "../middleware/same_origin.ts";
import { readForm, textField } from "../read_form.ts";
import { renderPage } from "../render_page.tsx";

/** What a page of the list shows besides the users. */
type Answer = Pick<AdminPageProps, "notice" | "error" | "resetLink">;

/** `?done=` after a redirect: what was done to `?user=`. */
const DONE_MESSAGES: Record<string, (username: string) => string> = {
  suspended: (name) => `${name} is suspended: their sessions are logged out.`,
  reinstated: (name) => `${name} is reinstated and may log in again.`,
};

/** The form's `suspended` as the service takes it: anything but the two words is refused. */
function suspendedValue(raw: string | undefined): unknown {
  return raw === "true" ? true : raw === "false" ? false : raw;
}

/** The notice a redirect asked for, if its username is one a user could have. */
function doneNotice(done: string | undefined, user: string | undefined): string | undefined {
  const message = done === undefined ? undefined : DONE_MESSAGES[done];
  if (!message || user === undefined) return undefined;
  try {
    return message(normalizeUsername(user));
  } catch {
    return undefined;
  }
}

/** GET /admin, POST /admin/users/:id/suspension and POST /admin/users/:id/password-reset. */
export function adminPage({ accounts, config }: AppDeps) {
  const { admin } = accounts;
  const app = new Hono<SignedInEnv>();
  const signedIn = requireSignIn();

  const adminsOnly = async (c: Context<SignedInEnv>, next: Next) => {
    // Only administrators learn that the page exists.
    if (!admin.isAdmin(c.get("auth").user)) {
      throw new NotFound("not_found", "This page does not exist.");
    }
    await next();
    // A reset link is as good as a password: never keep the page in a cache.
    c.header("Cache-Control", "no-store");
  };
  app.use("/admin", signedIn, adminsOnly);
  app.use("/admin/*", signedIn, adminsOnly);

  /** Renders the list at `place` with what this answer adds. */
  async function show(
    c: Context<SignedInEnv>,
    place: ListPlace,
    answer: Answer = {},
    status: 200 | 400 | 403 | 404 = 200,
  ): Promise<Response> {
    const actor = c.get("auth").user;
    const { users, next } = await admin.listUsers(actor, place);
    const rows = users.map((user) => ({ ...user, admin: admin.isAdmin(user) }));
    const body = (
      <AdminPage user={toPublicUser(actor)} rows={rows} next={next} place={place} {...answer} />
    );
    return c.html(renderPage({ title: "Administration", body }), status);
  }

  /** The list again with the refusal of a form, in the refusal's status. */
  function refused(c: Context<SignedInEnv>, place: ListPlace, error: unknown) {
    if (!(error instanceof HttpError) || error.status >= 500) throw error;
    return show(c, place, { error: error.message }, error.status as 400 | 403 | 404);
  }

  app.get("/admin", (c) => {
    const place = { after: c.req.query("after"), limit: c.req.query("limit") };
    const notice = doneNotice(c.req.query("done"), c.req.query("user"));
    return show(c, place, { notice });
  });

  app.post("/admin/users/:id/suspension", limitBody(FORM_BODY_MAX_BYTES), async (c) => {
    const form = await readForm(c);
    const place = { after: textField(form, "after"), limit: textField(form, "limit") };
    const suspended = suspendedValue(textField(form, "suspended"));
    try {
      const user = await admin.setSuspended(
        c.get("auth").user,
        c.req.param("id"),
        suspended,
        clientIp(c),
      );
      const done = new URLSearchParams({
        done: user.suspended ? "suspended" : "reinstated",
        user: user.username,
      });
      const back = adminListPath(place);
      return c.redirect(`${back}${back.includes("?") ? "&" : "?"}${done}`, 303);
    } catch (error) {
      return await refused(c, place, error);
    }
  });

  app.post("/admin/users/:id/password-reset", limitBody(FORM_BODY_MAX_BYTES), async (c) => {
    const form = await readForm(c);
    const place = { after: textField(form, "after"), limit: textField(form, "limit") };
    const actor = c.get("auth").user;
    const userId = c.req.param("id");
    try {
      const url = await admin.createResetLink(
        actor,
        userId,
        linkOrigin(c.req.url, config),
        clientIp(c),
      );
      const { username } = await accounts.getUser(userId);
      return await show(c, place, { resetLink: { username, url } });
    } catch (error) {
      return await refused(c, place, error);
    }
  });

  return app;
}
