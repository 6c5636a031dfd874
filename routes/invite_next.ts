/**
 * The invite code a visitor came with: the invite page's "Create an account" sends them to
 * `/register?next=/invite/<code>`, so under `REGISTRATION=invite` the register form can be
 * filled in with the code of the page they will return to.
 */

const INVITE_PATH = /^\/invite\/([^/?#]+)$/;

/**
 * The code of `next` when it is an invite page's path (already checked by `safeNext`).
 *
 * @example
 * ```ts
 * inviteCodeFromNext("/invite/abc123"); // "abc123"
 * inviteCodeFromNext("/chat"); // undefined
 * ```
 */
export function inviteCodeFromNext(next: string | undefined): string | undefined {
  const match = next === undefined ? null : INVITE_PATH.exec(next);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/** The path of the invite page of `code`, as the invite page links to it. */
export function invitePath(code: string): string {
  return `/invite/${encodeURIComponent(code)}`;
}
