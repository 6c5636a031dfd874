/**
 * Settings' `Notifications` and `Direct messages` sections (API.md "Notifications", "Direct
 * messages"): `Enable notifications` asks the browser's permission (only here, on a click: never
 * on load) and subscribes this browser to Web Push; `Play a sound` (this browser only); and who
 * may open a DM with the reader (`dmPolicy`).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { DmPolicy } from "./runtime/dm_types.ts";
import { call, json } from "./runtime/api.ts";

/** As runtime/notifier.ts reads it (not imported: that module belongs to the chat page). */
const SOUND_KEY = "salon-notify-sound";

export interface NotificationSettingsProps {
  /** The reader's DM policy as the page was rendered (read again from `GET /api/me`). */
  dmPolicy: DmPolicy;
}

const POLICIES: [DmPolicy, string][] = [
  ["everyone", "Everyone"],
  ["server_members", "People who share a server with me"],
  ["nobody", "Nobody"],
];

const BUTTON =
  "rounded-md bg-brand-500 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-600 disabled:opacity-50";

export default function NotificationSettings({ dmPolicy }: NotificationSettingsProps) {
  const permission = useSignal<string>("default");
  const status = useSignal("");
  const sound = useSignal(false);
  const policy = useSignal(dmPolicy);
  const policyStatus = useSignal("");
  const busy = useSignal(false);

  useEffect(() => {
    permission.value = typeof Notification === "undefined"
      ? "unsupported"
      : Notification.permission;
    sound.value = localStorage.getItem(SOUND_KEY) === "on";
    // The page's user has no dmPolicy (it is the caller's own, in GET /api/me only).
    void call(
      "/api/me",
      { method: "GET" },
      (body) => (body as { user: { dmPolicy?: DmPolicy } }).user,
    )
      .then((result) => {
        if (result.ok && result.value.dmPolicy) policy.value = result.value.dmPolicy;
      });
  }, []);

  async function enable() {
    busy.value = true;
    const { enableNotifications } = await import("./runtime/push_subscribe.ts");
    const outcome = await enableNotifications();
    busy.value = false;
    permission.value = typeof Notification === "undefined"
      ? "unsupported"
      : Notification.permission;
    status.value = !outcome.ok
      ? outcome.message
      : outcome.push
      ? "Notifications are on, also when Salon is closed."
      : "Notifications are on while Salon is open in a tab.";
  }

  return (
    <>
      <section
        id="notifications"
        aria-labelledby="notifications-heading"
        class="scroll-mt-6 rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
      >
        <h2 id="notifications-heading" class="mb-4 text-lg font-semibold">Notifications</h2>
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">
          Direct messages and mentions of you notify you; each server and channel can change that
          from its menu.
        </p>
        <div class="flex flex-wrap items-center gap-3">
          <button
            type="button"
            class={BUTTON}
            disabled={busy.value || permission.value === "unsupported"}
            onClick={enable}
          >
            Enable notifications
          </button>
          {permission.value === "granted" && (
            <span class="text-sm" data-testid="notifications-on">Allowed in this browser.</span>
          )}
          {permission.value === "denied" && (
            <span class="text-sm text-amber-700 dark:text-amber-400">
              Blocked in this browser's site settings.
            </span>
          )}
          <label class="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={sound.value}
              onChange={(event) => {
                sound.value = event.currentTarget.checked;
                localStorage.setItem(SOUND_KEY, sound.value ? "on" : "off");
              }}
            />
            Play a sound
          </label>
        </div>
        <p aria-live="polite" class="mt-2 text-sm">{status.value}</p>
      </section>
      <section
        id="direct-messages"
        aria-labelledby="direct-messages-heading"
        class="scroll-mt-6 rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
      >
        <h2 id="direct-messages-heading" class="mb-4 text-lg font-semibold">Direct messages</h2>
        <label class="block text-sm font-medium" for="dm-policy">Who can message you</label>
        <div class="mt-1 flex flex-wrap items-center gap-2">
          <select
            id="dm-policy"
            class="rounded border border-slate-400 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-950"
            value={policy.value}
            onChange={async (event) => {
              const next = event.currentTarget.value as DmPolicy;
              // Not dm_api.ts: that module would then be a chunk of its own on the chat page.
              const result = await call("/api/me", json("PATCH", { dmPolicy: next }), () => null);
              if (result.ok) {
                policy.value = next;
                policyStatus.value = "Saved.";
              } else {
                policyStatus.value = result.error.message;
                event.currentTarget.value = policy.value;
              }
            }}
          >
            {POLICIES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
          <span aria-live="polite" class="text-sm">{policyStatus.value}</span>
        </div>
      </section>
    </>
  );
}
