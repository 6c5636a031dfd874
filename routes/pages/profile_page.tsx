/**
 * /profile: edit display name and bio, upload an avatar. Two plain forms that work without
 * JavaScript; the islands add a live preview (shared signals) and instant checks.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { signal } from "@preact/signals";
import { AppHeader } from "../../components/AppHeader.tsx";
import { SubmitButton } from "../../components/Button.tsx";
import { FormAlert } from "../../components/AuthLayout.tsx";
import { AvatarPicker, ProfileFields, ProfilePreview } from "../../components/islands.ts";
import { Invalid } from "../../lib/errors.ts";
import { IMAGE_TYPES } from "../../lib/images.ts";
import {
  AVATAR_FORM_MAX_BYTES,
  AVATAR_MAX_BYTES,
  BIO_MAX_LENGTH,
  DISPLAY_NAME_MAX_LENGTH,
  FORM_BODY_MAX_BYTES,
} from "../../lib/limits.ts";
import { toPublicUser } from "../../lib/public_user.ts";
import type { PublicUser } from "../../lib/public_user.ts";
import type { AppDeps } from "../deps.ts";
import { formErrors } from "../form_errors.ts";
import type { FormErrors } from "../form_errors.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { readForm, textField } from "../read_form.ts";
import { renderPage } from "../render_page.tsx";

interface ProfilePageProps {
  user: PublicUser;
  /** What the user typed, shown again after an error. */
  draft?: { displayName: string; bio: string };
  errors?: FormErrors;
  saved?: string | null;
}

const SAVED_MESSAGES: Record<string, string> = {
  profile: "Profile saved.",
  avatar: "Avatar updated.",
};

function Card({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <section class="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
      <h2 class="mb-4 text-lg font-semibold">{title}</h2>
      {children}
    </section>
  );
}

function ProfilePage({ user, draft, errors, saved }: ProfilePageProps) {
  // One signal per value, handed to several islands: the browser revives them as one.
  const displayName = signal(draft?.displayName ?? user.displayName);
  const bio = signal(draft?.bio ?? user.bio);
  const avatarUrl = signal(user.avatarUrl);
  const fieldErrors = errors?.fields ?? {};
  const savedMessage = saved ? SAVED_MESSAGES[saved] : undefined;
  return (
    <>
      <AppHeader user={user} current="profile" />
      <main class="mx-auto grid max-w-5xl gap-6 px-4 py-6 md:grid-cols-[18rem_1fr]">
        <h1 class="text-2xl font-bold md:col-span-2">Your profile</h1>
        <div class="md:sticky md:top-6 md:self-start">
          <ProfilePreview
            username={user.username}
            displayName={displayName}
            bio={bio}
            avatarUrl={avatarUrl}
          />
        </div>
        <div class="min-w-0 space-y-6">
          {savedMessage && (
            <p
              role="status"
              class="rounded-lg border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800 dark:border-green-900 dark:bg-green-950 dark:text-green-300"
            >
              {savedMessage}
            </p>
          )}
          <FormAlert message={errors?.form} />
          <Card title="About you">
            <form method="post" action="/profile" class="space-y-4">
              <ProfileFields
                displayName={displayName}
                bio={bio}
                displayNameMax={DISPLAY_NAME_MAX_LENGTH}
                bioMax={BIO_MAX_LENGTH}
                errors={{ displayName: fieldErrors.displayName, bio: fieldErrors.bio }}
              />
              <SubmitButton>Save profile</SubmitButton>
            </form>
          </Card>
          <Card title="Avatar">
            <form
              method="post"
              action="/profile/avatar"
              enctype="multipart/form-data"
              class="space-y-4"
            >
              <AvatarPicker
                avatarUrl={avatarUrl}
                maxBytes={AVATAR_MAX_BYTES}
                accept={[...IMAGE_TYPES]}
                error={fieldErrors.avatar}
              />
              <SubmitButton>Upload avatar</SubmitButton>
            </form>
          </Card>
        </div>
      </main>
    </>
  );
}

export function profilePage({ accounts }: AppDeps) {
  const app = new Hono<SignedInEnv>();
  const signedIn = requireSignIn();

  const show = (
    c: Context<SignedInEnv>,
    props: ProfilePageProps,
    status: 200 | FormErrors["status"] = 200,
  ) => c.html(renderPage({ title: "Profile", body: <ProfilePage {...props} /> }), status);

  app.get("/profile", signedIn, (c) => {
    const { user } = c.get("auth");
    return show(c, { user: toPublicUser(user), saved: c.req.query("saved") });
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
      return c.redirect("/profile?saved=profile", 303);
    } catch (error) {
      const errors = formErrors(c, error);
      return show(c, { user: toPublicUser(auth.user), draft, errors }, errors.status);
    }
  });

  app.post("/profile/avatar", signedIn, limitBody(AVATAR_FORM_MAX_BYTES), async (c) => {
    const auth = c.get("auth");
    try {
      const file = (await readForm(c)).avatar;
      if (!(file instanceof File) || file.size === 0) {
        throw new Invalid("invalid_image", "Choose an image to upload.", "avatar");
      }
      await accounts.setAvatar(auth.user.id, new Uint8Array(await file.arrayBuffer()));
      return c.redirect("/profile?saved=avatar", 303);
    } catch (error) {
      const errors = formErrors(c, error);
      return show(c, { user: toPublicUser(auth.user), errors }, errors.status);
    }
  });

  return app;
}
