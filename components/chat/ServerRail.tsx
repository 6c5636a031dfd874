import type { WireServer } from "../../lib/realtime/protocol.ts";

function initials(name: string): string {
  const words = name.trim().split(/\s+/).slice(0, 2);
  return words.map((word) => [...word][0]?.toUpperCase() ?? "").join("") || "?";
}

/** The column of server icons, with a link to create or join one. */
export function ServerRail({ servers, current }: { servers: WireServer[]; current?: string }) {
  return (
    <nav
      aria-label="Servers"
      class="flex w-[72px] shrink-0 flex-col items-center gap-2 overflow-y-auto bg-slate-200 py-3 dark:bg-slate-950"
    >
      {servers.map((server) => (
        <a
          key={server.id}
          href={`/chat/${server.id}`}
          title={server.name}
          aria-label={server.name}
          aria-current={server.id === current ? "page" : undefined}
          class={`flex h-12 w-12 items-center justify-center overflow-hidden text-sm font-semibold transition-all ${
            server.id === current
              ? "rounded-2xl bg-brand-500 text-white"
              : "rounded-3xl bg-white text-slate-700 hover:rounded-2xl hover:bg-brand-500 hover:text-white dark:bg-slate-800 dark:text-slate-200"
          }`}
        >
          {initials(server.name)}
        </a>
      ))}
      <a
        href="/chat?new"
        title="Create or join a server"
        aria-label="Create or join a server"
        class="flex h-12 w-12 items-center justify-center rounded-3xl bg-white text-2xl text-green-600 hover:rounded-2xl hover:bg-green-600 hover:text-white dark:bg-slate-800"
      >
        +
      </a>
    </nav>
  );
}
