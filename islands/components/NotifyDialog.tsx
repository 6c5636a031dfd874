/**
 * The notification settings of one server, channel or DM: which messages notify (`Default`,
 * `All messages`, `Only mentions`, `Nothing`) and a mute until a time, saved with
 * `PUT /api/me/notifications/:targetId` and read from `GET /api/me/notifications`. A saved
 * setting is announced to the page (`salon-notify-setting`), so in-tab notifications follow it
 * at once (runtime/notifier.ts).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { listNotificationSettings, putNotificationSetting } from "../runtime/dm_api.ts";
import type { NotificationLevel, NotificationSetting } from "../runtime/dm_types.ts";
import { Modal } from "../governance/Modal.tsx";
import { Status } from "../governance/Status.tsx";
import type { Note } from "../governance/Status.tsx";
import { LABEL, PRIMARY } from "../governance/styles.ts";
import type { NotifyButtonProps } from "./NotifyButton.tsx";

export interface NotifyDialogProps extends NotifyButtonProps {
  onClose: () => void;
}

/** The event a saved setting is announced with (its detail: the NotificationSetting). */
export const NOTIFY_SETTING_EVENT = "salon-notify-setting";

const MUTES: [string, number][] = [
  ["Not muted", 0],
  ["For 15 minutes", 15 * 60],
  ["For 1 hour", 60 * 60],
  ["For 8 hours", 8 * 60 * 60],
  ["For 24 hours", 24 * 60 * 60],
  ["Until I turn it back on", -1],
];
/** "Until I turn it back on": a mute far enough away to be for good. */
const FOREVER_MS = 100 * 365 * 24 * 60 * 60 * 1000;

function levels(kind: NotifyButtonProps["kind"]): [NotificationLevel, string][] {
  const fallback = kind === "channel"
    ? "Default (as the server is set)"
    : kind === "dm"
    ? "Default (every message)"
    : "Default (only mentions)";
  return [
    ["default", fallback],
    ["all", "All messages"],
    ["mentions", "Only mentions"],
    ["none", "Nothing"],
  ];
}

export function NotifyDialog({ targetId, name, kind, onClose }: NotifyDialogProps) {
  const level = useSignal<NotificationLevel>("default");
  const mutedUntil = useSignal<string | null>(null);
  const mute = useSignal("keep");
  const note = useSignal<Note | null>(null);
  const busy = useSignal(true);

  useEffect(() => {
    void listNotificationSettings().then((result) => {
      busy.value = false;
      if (!result.ok) {
        note.value = { error: true, text: result.error.message };
        return;
      }
      const mine = result.value.find((setting) => setting.targetId === targetId);
      if (mine) {
        level.value = mine.level;
        mutedUntil.value = mine.muteUntil && Date.parse(mine.muteUntil) > Date.now()
          ? mine.muteUntil
          : null;
      }
    });
  }, [targetId]);

  async function save(event: Event) {
    event.preventDefault();
    const seconds = mute.value === "keep" ? null : Number(mute.value);
    const muteUntil = seconds === null
      ? mutedUntil.value
      : seconds === 0
      ? null
      : new Date(Date.now() + (seconds < 0 ? FOREVER_MS : seconds * 1000)).toISOString();
    busy.value = true;
    const result = await putNotificationSetting(targetId, level.value, muteUntil);
    busy.value = false;
    if (!result.ok) {
      note.value = { error: true, text: result.error.message };
      return;
    }
    mutedUntil.value = muteUntil;
    mute.value = "keep";
    const setting: NotificationSetting = { targetId, level: level.value, muteUntil };
    dispatchEvent(new CustomEvent(NOTIFY_SETTING_EVENT, { detail: setting }));
    note.value = { error: false, text: "Saved." };
  }

  const until = mutedUntil.value;
  return (
    <Modal
      open
      onClose={onClose}
      title={`Notifications for ${name}`}
      class="m-auto w-[min(26rem,calc(100vw-2rem))] overflow-hidden rounded-2xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
    >
      <form class="space-y-4" onSubmit={save}>
        <fieldset class="space-y-1">
          <legend class={LABEL}>Notify me about</legend>
          {levels(kind).map(([value, label]) => (
            <label key={value} class="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="notify-level"
                value={value}
                checked={level.value === value}
                onChange={() =>
                  level.value = value}
              />
              {label}
            </label>
          ))}
        </fieldset>
        <div>
          <label for="notify-mute" class={LABEL}>Mute</label>
          <p class="text-sm text-slate-600 dark:text-slate-400" data-testid="muted-until">
            {until
              ? Date.parse(until) - Date.now() > FOREVER_MS / 2
                ? "Muted until you turn it back on."
                : `Muted until ${new Date(until).toLocaleString()}.`
              : "Not muted."}
          </p>
          <select
            id="notify-mute"
            class="mt-1 w-full rounded-md border border-slate-400 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-950"
            value={mute.value}
            onChange={(event) => mute.value = event.currentTarget.value}
          >
            <option value="keep">{until ? "Keep as it is" : "Not muted"}</option>
            {MUTES.filter(([, seconds]) => until ? true : seconds !== 0).map(([label, seconds]) => (
              <option key={seconds} value={String(seconds)}>{label}</option>
            ))}
          </select>
        </div>
        <div class="flex items-center gap-3">
          <button type="submit" class={PRIMARY} disabled={busy.value}>Save</button>
          <Status note={note} />
        </div>
      </form>
    </Modal>
  );
}
