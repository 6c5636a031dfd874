/**
 * The settings' Audit log: newest first, a page at a time ("Load older"), filtered by action
 * and by who did it, each entry with its reason and every value before and after.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { listAuditLog, listBans } from "../runtime/governance_api.ts";
import type { WireAuditEntry } from "../runtime/api.ts";
import type { ServerState } from "../runtime/server_state.ts";
import { AUDIT_ACTIONS, hexColor, when } from "./labels.ts";
import { Status } from "./Status.tsx";
import type { Note } from "./Status.tsx";
import { INPUT, LABEL, SECONDARY } from "./styles.ts";

/** Entries per page. */
const PAGE = 25;

function shown(key: string, value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (key === "color" && typeof value === "number") return hexColor(value);
  if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function AuditLogTab(
  { state, permissions }: { state: ServerState; permissions: Set<string> },
) {
  const entries = useSignal<WireAuditEntry[]>([]);
  const more = useSignal(false);
  const note = useSignal<Note | null>(null);
  const action = useSignal("");
  const actor = useSignal("");
  const allowed = permissions.has("view_audit_log");
  // Banned people are no longer members, but the log names them.
  const banned = useSignal(new Map<string, string>());
  const names = new Map(state.members.map((m) => [m.user.id, m.user.displayName]));
  const nameOf = (id: string) =>
    names.get(id) ?? banned.value.get(id) ?? state.roles.find((r) => r.id === id)?.name ??
      state.channels.find((c) => c.id === id)?.name ?? `someone gone (${id.slice(0, 8)}…)`;

  async function load(reset: boolean) {
    const before = reset ? undefined : entries.value.at(-1)?.id;
    const result = await listAuditLog(state.server.id, {
      before,
      limit: PAGE,
      action: action.value,
      actorId: actor.value,
    });
    if (!result.ok) return note.value = { text: result.error.message, error: true };
    entries.value = reset ? result.value : [...entries.value, ...result.value];
    more.value = result.value.length === PAGE;
    note.value = null;
  }
  useEffect(() => {
    if (allowed) void load(true);
  }, [action.value, actor.value]);
  useEffect(() => {
    if (!permissions.has("ban_members")) return;
    void listBans(state.server.id).then((result) => {
      if (result.ok) {
        banned.value = new Map(result.value.map((b) => [b.user.id, b.user.displayName]));
      }
    });
  }, []);

  if (!allowed) {
    return (
      <p class="text-sm text-slate-600 dark:text-slate-300">
        The audit log needs the View audit log permission.
      </p>
    );
  }
  return (
    <div class="space-y-3">
      <div class="grid gap-2 sm:grid-cols-2">
        <div>
          <label for="audit-action" class={LABEL}>Action</label>
          <select
            id="audit-action"
            class={INPUT}
            value={action.value}
            onChange={(event) => action.value = event.currentTarget.value}
          >
            <option value="">Every action</option>
            {Object.keys(AUDIT_ACTIONS).map((key) => <option key={key} value={key}>{key}</option>)}
          </select>
        </div>
        <div>
          <label for="audit-actor" class={LABEL}>Done by</label>
          <select
            id="audit-actor"
            class={INPUT}
            value={actor.value}
            onChange={(event) => actor.value = event.currentTarget.value}
          >
            <option value="">Anyone</option>
            {state.members.map((m) => (
              <option key={m.user.id} value={m.user.id}>{m.user.displayName}</option>
            ))}
          </select>
        </div>
      </div>
      <Status note={note} />
      {entries.value.length === 0 && (
        <p class="text-sm text-slate-600 dark:text-slate-300">Nothing recorded yet.</p>
      )}
      <ol aria-label="Audit log entries" class="divide-y divide-slate-200 dark:divide-slate-700">
        {entries.value.map((entry) => (
          <li key={entry.id} class="py-2 text-sm">
            <p>
              <span class="font-semibold">{nameOf(entry.actorId)}</span>{" "}
              {AUDIT_ACTIONS[entry.action] ?? entry.action}{" "}
              {entry.targetType !== "server" && (
                <span class="font-semibold">{nameOf(entry.targetId)}</span>
              )}
              <span class="ml-2 text-xs text-slate-600 dark:text-slate-400">
                {when(entry.createdAt)}
              </span>
            </p>
            {entry.reason && (
              <p class="text-slate-700 dark:text-slate-300">Reason: {entry.reason}</p>
            )}
            {entry.changes.length > 0 && (
              <ul class="mt-1 space-y-0.5 pl-4 text-xs text-slate-700 dark:text-slate-300">
                {entry.changes.map((change) => (
                  <li key={change.key}>
                    {change.key}: <del>{shown(change.key, change.old)}</del> →{" "}
                    <ins>{shown(change.key, change.new)}</ins>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {more.value && (
        <button type="button" class={SECONDARY} onClick={() => load(false)}>Load older</button>
      )}
    </div>
  );
}
