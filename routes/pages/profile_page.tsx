/**
 * /profile: the account settings page (components/settings/SettingsPage.tsx), and the forms of
 * its Profile section: display name and bio, and the avatar upload. The other sections' forms
 * post to settings_page.tsx.
 */
import { Hono } from "hono";
import { Invalid } from "../../lib/errors.ts";
import { AVATAR_FORM_MAX_BYTES, FORM_BODY_MAX_BYTES } from "../../lib/limits.ts";
import type { AppDeps } from "../deps.ts";
import { formErrors } from "../form_errors.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { readForm, textField } from "../read_form.ts";
import { savedUrl, SETTINGS_PATH, showSettings } from "./settings_view.tsx";

/** The notice for `?saved=<what>` after a form of the page did its work. */
const SAVED_MESSAGES: Record<string, string> = {
  profile: "Profile saved.",
  avatar: "Avatar updated.",
  password: "Password changed. Your other sessions are logged out.",
  session: "That session is logged out.",
  sessions: "Every other session is logged out.",
  "two-factor-off": "Two-factor authentication is off.",
  email: "E-mail saved.",
};

/** GET /profile (the settings page), POST /profile and POST /profile/avatar. */
export function profilePage(deps: AppDeps) {
  const { accounts } = deps;
  const app = new Hono<SignedInEnv>();
  const signedIn = requireSignIn();

  app.get(SETTINGS_PATH, signedIn, (c) => {
    const saved = c.req.query("saved");
    return showSettings(c, deps, { notice: saved ? SAVED_MESSAGES[saved] : undefined });
  });

  app.post("/profile", signedIn, limitBody(FORM_BODY_MAX_BYTES), async (c) => {
    const auth = c.get("auth");
    const form = await readForm(c);
    const draft = {
      displayName: textField(form, "displayName") ?? "",
      bio: textField(form, "bio") ?? "",
    };
    try {
      await accounts.updateProfile(auth.user.id, draft);
      return c.redirect(savedUrl("profile"), 303);
    } catch (error) {
      const errors = formErrors(c, error);
      const failed = { form: "profile" as const, errors };
      return await showSettings(c, deps, { failed, profileDraft: draft }, errors.status);
    }
  });

  app.post("/profile/avatar", signedIn, limitBody(AVATAR_FORM_MAX_BYTES), async (c) => {
    try {
      const file = (await readForm(c)).avatar;
      if (!(file instanceof File) || file.size === 0) {
        throw new Invalid("invalid_image", "Choose an image to upload.", "avatar");
      }
      await accounts.setAvatar(c.get("auth").user.id, new Uint8Array(await file.arrayBuffer()));
      return c.redirect(savedUrl("avatar"), 303);
    } catch (error) {
      const errors = formErrors(c, error);
      return await showSettings(c, deps, { failed: { form: "avatar", errors } }, errors.status);
    }
  });

  return app;
}
