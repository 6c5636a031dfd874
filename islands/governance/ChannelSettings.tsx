/**
 * One channel's settings: name, topic and category, its place in the list (Move up / Move
 * down, the keyboard's way besides drag and drop), deleting it (asked first), and its
 * permission overwrites.
 */
import { useSignal } from "@preact/signals";
import type { WireChannel } from "../../lib/realtime/protocol.ts";
import { updateChannel } from "../runtime/api.ts";
import { deleteChannel } from "../runtime/governance_api.ts";
import { moveBy } from "../runtime/channel_order.ts";
import { serverPermissions } from "../runtime/permissions.ts";
import type { ServerState } from "../runtime/server_state.ts";
import { Confirm } from "./Confirm.tsx";
import { Modal } from "./Modal.tsx";
import { OverwriteEditor } from "./OverwriteEditor.tsx";
import { Status } from "./Status.tsx";
import type { Note } from "./Status.tsx";
import { INPUT, LABEL, PRIMARY, SECONDARY } from "./styles.ts";

import type { Placement } from "../runtime/channel_order.ts";

export interface ChannelSettingsProps {
  state: ServerState;
  channel: WireChannel;
  onClose: () => void;
  /**
   * Sends a move's PATCHes (runtime/placements.ts, passed in by the channel list, which loads
   * it anyway); the first refusal's message, or null.
   */
  place: (moves: Placement[]) => Promise<string | null>;
}

export function ChannelSettings({ state, channel, onClose, place }: ChannelSettingsProps) {
  const name = useSignal(channel.name);
  const topic = useSignal(channel.topic);
  const parent = useSignal(channel.parentId ?? "");
  const note = useSignal<Note | null>(null);
  const permissions = serverPermissions(state, state.meId);
  const canEdit = permissions.has("manage_channels");
  const categories = state.channels.filter((c) => c.kind === "category");
  const report = (error: string | null, text: string) =>
    note.value = error ? { text: error, error: true } : { text, error: false };

  async function save(event: Event) {
    event.preventDefault();
    const result = await updateChannel(channel.id, {
      name: name.value,
      topic: topic.value,
      parentId: parent.value || null,
    });
    report(result.ok ? null : result.error.message, "Saved.");
  }

  async function move(step: -1 | 1) {
    const moves = moveBy(state.channels, channel, step);
    if (moves.length === 0) {
      return report(null, `#${channel.name} is already at the ${step < 0 ? "top" : "bottom"}.`);
    }
    report(await place(moves), `#${channel.name} moved ${step < 0 ? "up" : "down"}.`);
  }

  return (
    <Modal open onClose={onClose} title={`#${channel.name}: channel settings`}>
      <div class="space-y-5">
        {canEdit && (
          <form onSubmit={save} class="space-y-3">
            <div>
              <label for="channel-name" class={LABEL}>Channel name</label>
              <input
                id="channel-name"
                class={INPUT}
                required
                maxLength={32}
                value={name.value}
                onInput={(event) => name.value = event.currentTarget.value}
              />
            </div>
            <div>
              <label for="channel-topic" class={LABEL}>Topic</label>
              <textarea
                id="channel-topic"
                class={INPUT}
                rows={2}
                maxLength={1024}
                value={topic.value}
                onInput={(event) => topic.value = event.currentTarget.value}
              />
            </div>
            {channel.kind !== "category" && (
              <div>
                <label for="channel-category" class={LABEL}>Category</label>
                <select
                  id="channel-category"
                  class={INPUT}
                  value={parent.value}
                  onChange={(event) => parent.value = event.currentTarget.value}
                >
                  <option value="">No category</option>
                  {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                </select>
              </div>
            )}
            <div class="flex flex-wrap gap-2">
              <button type="submit" class={PRIMARY}>Save</button>
              {channel.kind !== "category" && (
                <>
                  <button type="button" class={SECONDARY} onClick={() => move(-1)}>
                    Move up
                  </button>
                  <button type="button" class={SECONDARY} onClick={() => move(1)}>
                    Move down
                  </button>
                </>
              )}
            </div>
          </form>
        )}
        <Status note={note} />
        {permissions.has("manage_roles") && <OverwriteEditor state={state} channel={channel} />}
        {canEdit && (
          <section class="space-y-2 border-t border-slate-200 pt-4 dark:border-slate-700">
            <Confirm
              label="Delete channel"
              ariaLabel={`Delete #${channel.name}`}
              question={`Delete #${channel.name}? Its messages will be gone for everyone.`}
              confirmLabel={`Delete #${channel.name}`}
              onConfirm={async () => {
                const result = await deleteChannel(channel.id);
                if (result.ok) onClose();
                else report(result.error.message, "");
              }}
            />
          </section>
        )}
      </div>
    </Modal>
  );
}
