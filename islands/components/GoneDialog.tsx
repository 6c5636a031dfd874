/**
 * The alert of GoneNotice.tsx: "<server> is gone" (why, and back to one's servers) or
 * "#<channel> is gone" (and the way to another channel). Its own chunk, loaded when needed.
 */
import type { Gone } from "../runtime/server_state.ts";
import { Modal } from "../governance/Modal.tsx";
import { PRIMARY } from "../governance/styles.ts";

export interface GoneDialogProps {
  serverId: string;
  what: Gone;
}

const WHY = {
  deleted: "it was deleted.",
  kicked: "you were kicked from it.",
  banned: "you were banned from it.",
  removed: "it was deleted, or you were removed from it.",
  left: "you left it.",
};

export default function GoneDialog({ serverId, what }: GoneDialogProps) {
  if (what.kind === "server") {
    return (
      <Modal open role="alertdialog" title={`${what.name} is gone`} onClose={() => {}}>
        <p data-testid="gone-notice">
          {what.name} is gone from your servers: {WHY[what.reason]}
        </p>
        <div class="mt-4 flex justify-end">
          <a href="/chat" class={PRIMARY}>Back to your servers</a>
        </div>
      </Modal>
    );
  }
  const next = what.next ? `/chat/${serverId}/${what.next.id}` : "/chat";
  return (
    <Modal open role="alertdialog" title={`#${what.name} is gone`} onClose={() => {}}>
      <p data-testid="gone-notice">
        #{what.name} was deleted, or you can no longer see it.
      </p>
      <div class="mt-4 flex justify-end">
        <a href={next} class={PRIMARY}>
          {what.next ? `Go to #${what.next.name}` : "Back to your servers"}
        </a>
      </div>
    </Modal>
  );
}
