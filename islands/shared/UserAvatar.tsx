/**
 * A user's avatar image: the uploaded one, or the generated default the same URL serves.
 * Pure markup, shared by server-rendered components and islands (islands/shared/ holds what
 * both sides render; it is not an island itself).
 */
export interface UserAvatarProps {
  user: { avatarUrl: string; displayName: string };
  /** Tailwind size classes. */
  class?: string;
  /** Next to the user's name already: hidden from screen readers. */
  decorative?: boolean;
}

export function UserAvatar(
  { user, class: className = "h-10 w-10", decorative = false }: UserAvatarProps,
) {
  return (
    <img
      src={user.avatarUrl}
      alt={decorative ? "" : `${user.displayName}'s avatar`}
      class={`${className} shrink-0 rounded-full bg-slate-200 object-cover dark:bg-slate-700`}
      width={128}
      height={128}
      loading="lazy"
    />
  );
}
