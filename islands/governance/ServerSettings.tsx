/**
 * The server settings dialog: tabs Overview, Roles, Members, Invites, Bans and Audit log
 * (API.md's screen names). Tabs follow the ARIA tabs pattern: ←/→ (and Home/End) move between
 * them, the chosen tab's panel follows. It reads the live server state, so what another
 * moderator changes meanwhile shows here too.
 */
import { useSignal } from "@preact/signals";
import type { ComponentType } from "preact";
import { serverPermissions } from "../runtime/permissions.ts";
import type { ServerState } from "../runtime/server_state.ts";
import { AuditLogTab } from "./AuditLogTab.tsx";
import { BansTab } from "./BansTab.tsx";
import { InvitesTab } from "./InvitesTab.tsx";
import { MembersTab } from "./MembersTab.tsx";
import { Modal } from "./Modal.tsx";
import { OverviewTab } from "./OverviewTab.tsx";
import { RolesTab } from "./RolesTab.tsx";

type TabProps = { state: ServerState; permissions: Set<string> };

const TABS: [string, ComponentType<TabProps>][] = [
  ["Overview", OverviewTab],
  ["Roles", RolesTab],
  ["Members", MembersTab],
  ["Invites", InvitesTab],
  ["Bans", BansTab],
  ["Audit log", AuditLogTab],
];

export interface ServerSettingsProps {
  state: ServerState;
  open: boolean;
  onClose: () => void;
}

export function ServerSettings({ state, open, onClose }: ServerSettingsProps) {
  const tab = useSignal(0);
  const permissions = serverPermissions(state, state.meId);
  const id = (index: number, part: string) => `settings-${part}-${index}`;

  function onKeyDown(event: KeyboardEvent) {
    const moves: Record<string, number> = {
      ArrowRight: tab.value + 1,
      ArrowLeft: tab.value - 1,
      Home: 0,
      End: TABS.length - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    tab.value = (moves[event.key] + TABS.length) % TABS.length;
    document.getElementById(id(tab.value, "tab"))?.focus();
  }

  const [, Panel] = TABS[tab.value];
  return (
    <Modal open={open} onClose={onClose} title={`${state.server.name}: server settings`}>
      <div
        role="tablist"
        aria-label="Server settings"
        onKeyDown={onKeyDown}
        class="mb-4 flex flex-wrap gap-1 border-b border-slate-200 pb-2 dark:border-slate-700"
      >
        {TABS.map(([name], index) => (
          <button
            key={name}
            id={id(index, "tab")}
            type="button"
            role="tab"
            aria-selected={index === tab.value}
            aria-controls={id(index, "panel")}
            tabIndex={index === tab.value ? 0 : -1}
            onClick={() => tab.value = index}
            class={`rounded-md px-3 py-1.5 text-sm font-semibold ${
              index === tab.value
                ? "bg-brand-600 text-white"
                : "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"
            }`}
          >
            {name}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={id(tab.value, "panel")}
        aria-labelledby={id(tab.value, "tab")}
        tabIndex={0}
      >
        <Panel key={tab.value} state={state} permissions={permissions} />
      </div>
    </Modal>
  );
}
