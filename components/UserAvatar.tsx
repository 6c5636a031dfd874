/** A user's avatar image: the uploaded one, or the generated default the same URL serves. */
export interface UserAvatarProps {
  user: { avatarUrl: string; displayName: string };
  /** Tailwind size classes. */
  class?: string;
}

export function UserAvatar({ user, class: className = "h-10 w-10" }: UserAvatarProps) {
  return (
    <img
      src={user.avatarUrl}
      alt={`${user.displayName}'s avatar`}
      class={`${className} shrink-0 rounded-full bg-slate-200 object-cover dark:bg-slate-700`}
      width={128}
      height={128}
      loading="lazy"
    />
  );
}
