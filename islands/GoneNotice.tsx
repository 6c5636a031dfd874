/**
 * Says so when the page's server or channel goes away under the reader: the server was deleted
 * or the reader was kicked or banned ("<server> is gone"), or the open channel was deleted or
 * hidden from them. A modal alert, so nobody keeps typing into something that no longer
 * exists; it offers the way out.
 */
import { gone } from "./runtime/server_state.ts";
import { lazy } from "./shared/lazy.tsx";
import type { GoneDialogProps } from "./components/GoneDialog.tsx";

/** Rarely needed: its code loads when it is (the chat page's JavaScript budget). */
const GoneDialog = lazy<GoneDialogProps>(() =>
  import("./components/GoneDialog.tsx").then((loaded) => loaded.default)
);

export interface GoneNoticeProps {
  serverId: string;
}

export default function GoneNotice({ serverId }: GoneNoticeProps) {
  const what = gone.value;
  return what ? <GoneDialog serverId={serverId} what={what} /> : null;
}
