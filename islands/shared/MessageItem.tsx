/**
 * One message of the list: the quoted preview of what it replies to, its text (markdown-lite),
 * "(edited)" on its last line, the deleted placeholder, its files, its reactions, and the
 * actions its reader may use. Memoised: a list re-rendered for a new message re-renders only the messages
 * that changed (the list keeps unchanged message objects as they are), which keeps
 * delivery-to-screen short in long conversations.
 */
import { useComputed } from "@preact/signals";
import { pure } from "./pure.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";
import { tappedMessage } from "../runtime/message_actions.ts";
import { MessageActions } from "../components/MessageActions.tsx";
import { Reactions } from "../components/Reactions.tsx";
import { MessageAttachments } from "../attachments/MessageAttachments.tsx";
import { ReplyPreview } from "../components/ReplyPreview.tsx";
import { customEmoji } from "../runtime/custom_emoji.ts";
import { renderMarkdown } from "./markdown.tsx";
import { fullTime } from "./times.ts";

export interface MessageItemProps {
  message: ShownMessage;
  /** The reader's username: mentions of them stand out. */
  me?: string;
  /** Who can be mentioned (the server's members); unknown: every `@name` is highlighted. */
  mentionable?: ReadonlySet<string>;
  /** Who reads is known (a signed-in page): the actions show. */
  reader?: boolean;
  /** The reader wrote it: they may edit it. */
  own: boolean;
  /** The reader may delete it (theirs, or they moderate). */
  canDelete: boolean;
  /** The reader may pin and unpin it. */
  canPin?: boolean;
  /** It is being edited in the composer. */
  editing: boolean;
  /** Highlighted: a message link's target, or where a jump landed. */
  highlight?: boolean;
  /** The islands run (actions that need them show). */
  hydrated?: boolean;
  /** Where the delete form posts without JavaScript. */
  deleteAction: string;
  /** The message's own link (`?m=<seq>`). */
  link?: string;
  /** Stable across renders (memoisation compares it). */
  onDeleted: (id: string) => void;
  /** Stable: opens the emoji picker for a message. */
  onReact?: (message: ShownMessage, anchor: HTMLElement) => void;
  /** Stable: scrolls to (loading if needed) and highlights a message. */
  onJump?: (id: string, seq: number) => void;
}

const nothing = () => {};

export const MessageItem = pure(function MessageItem(
  {
    message,
    me,
    mentionable,
    reader = false,
    own,
    canDelete,
    canPin = false,
    editing,
    highlight = false,
    hydrated = false,
    deleteAction,
    link = "",
    onDeleted,
    onReact = nothing,
    onJump = nothing,
  }: MessageItemProps,
) {
  // A computed flag: a tap re-renders the two messages it concerns, not every message.
  const open = useComputed(() => tappedMessage.value === message.id);
  const edited = message.editedAt && (
    <span
      data-edited=""
      class="ml-1 whitespace-nowrap text-xs text-slate-500 dark:text-slate-400"
      title={fullTime(message.editedAt)}
    >
      (edited)
    </span>
  );
  return (
    <div
      class={`group relative rounded transition-colors ${
        highlight ? "bg-amber-100 ring-2 ring-amber-400 dark:bg-amber-950" : ""
      }`}
      data-message-id={message.id}
      data-highlighted={highlight ? "" : undefined}
      data-pinned={message.pinned ? "" : undefined}
    >
      {!message.deleted && message.replyTo && (
        <ReplyPreview reply={message.replyTo} onJump={onJump} />
      )}
      <div
        data-seq={message.seq}
        class={`min-w-0 break-words [overflow-wrap:anywhere] ${
          message.deleted ? "italic text-slate-500 dark:text-slate-400" : ""
        } ${editing ? "rounded bg-amber-50 ring-1 ring-amber-300 dark:bg-amber-950" : ""}`}
      >
        {message.deleted ? "Message deleted" : renderMarkdown(message.content, {
          me,
          mentionable,
          trailer: edited || undefined,
          emoji: customEmoji.value,
        })}
      </div>
      {!message.deleted && message.attachments && message.attachments.length > 0 && (
        <MessageAttachments
          messageId={message.id}
          files={message.attachments}
          hydrated={hydrated}
        />
      )}
      {!message.deleted && <Reactions messageId={message.id} reactions={message.reactions ?? []} />}
      <MessageActions
        message={message}
        reader={reader}
        own={own}
        canDelete={canDelete}
        canPin={canPin}
        open={open.value}
        hydrated={hydrated}
        deleteAction={deleteAction}
        link={link}
        onDeleted={onDeleted}
        onReact={onReact}
      />
    </div>
  );
});
