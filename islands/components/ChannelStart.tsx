/** The top of the list: the channel's welcome at its very start, else a hint to scroll up. */
export function ChannelStart(
  { channelName, more, loading }: { channelName: string; more: boolean; loading: boolean },
) {
  if (more) {
    return (
      <p class="py-2 text-center text-xs text-slate-500 dark:text-slate-400">
        {loading ? "Loading older messages…" : "Scroll up for older messages"}
      </p>
    );
  }
  return (
    <div class="pb-4 pt-8">
      <p class="text-2xl font-bold">Welcome to #{channelName}</p>
      <p class="text-sm text-slate-500 dark:text-slate-400">This is the start of the channel.</p>
    </div>
  );
}
