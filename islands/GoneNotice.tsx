/**
 * Says so when the page's server or channel goes away under the reader: the server was deleted
 * or the reader was kicked or banned ("<server> is gone"), or the open channel was deleted or
 * hidden from them. A modal alert, so nobody keeps typing into something that no longer
 * exists; it offers the way out.
 */
import { gone } from "./runtime/server_state.ts";
import { Modal } from "./governance/Modal.tsx";
import { PRIMARY } from "./governance/styles.ts";

export interface GoneNoticeProps {
  serverId: string;
}

const WHY = {
  deleted: "it was deleted.",
  kicked: "you were kicked from it.",
  banned: "you were banned from it.",
  removed: "it was deleted, or you were removed from it.",
  left: "you left it.",
};

export default function GoneNotice({ serverId }: GoneNoticeProps) {
  const what = gone.value;
  if (!what) return null;
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
