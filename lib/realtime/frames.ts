/**
 * Parses and checks one client frame (API.md "Client → server"). Anything else gets an error
 * the socket sends back; nothing here throws.
 */
import type { ClientFrame } from "./protocol.ts";

export interface FrameError {
  code: string;
  message: string;
}

/** Channels one `resume` may name. */
const MAX_RESUME_CHANNELS = 500;

const isString = (value: unknown): value is string => typeof value === "string";
const isId = (value: unknown): value is string =>
  isString(value) && value.length > 0 && value.length <= 64;

function invalid(message: string): { error: FrameError } {
  return { error: { code: "invalid_frame", message } };
}

/** The frame, or why it is not one. */
export function parseClientFrame(text: string): { frame: ClientFrame } | { error: FrameError } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { error: { code: "invalid_json", message: "Frames must be JSON." } };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return invalid("A frame must be a JSON object with a type.");
  }
  const frame = data as Record<string, unknown>;
  switch (frame.type) {
    case "ping":
      return { frame: { type: "ping" } };
    case "visibility":
      return typeof frame.visible === "boolean"
        ? { frame: { type: "visibility", visible: frame.visible } }
        : invalid("visibility needs visible: true or false.");
    case "auth":
      return isString(frame.token) && frame.token.length <= 4096
        ? { frame: { type: "auth", token: frame.token } }
        : invalid("auth needs a token string.");
    case "send":
      if (!isId(frame.channelId)) return invalid("send needs a channelId.");
      if (!isString(frame.nonce) || frame.nonce === "") {
        return invalid("send needs a nonce string.");
      }
      if (frame.replyTo !== undefined && frame.replyTo !== null && !isId(frame.replyTo)) {
        return invalid("send's replyTo must be a message id.");
      }
      // Content and nonce are checked by the message rules (lengths, characters).
      return {
        frame: {
          type: "send",
          channelId: frame.channelId,
          content: frame.content as string,
          nonce: frame.nonce,
          ...(isId(frame.replyTo) ? { replyTo: frame.replyTo } : {}),
          // Attachment ids: checked by the message rules (invalid_attachment).
          ...(frame.attachments !== undefined
            ? { attachments: frame.attachments as string[] }
            : {}),
        },
      };
    case "typing":
      return isId(frame.channelId)
        ? { frame: { type: "typing", channelId: frame.channelId } }
        : invalid("typing needs a channelId.");
    case "resume": {
      const channels = frame.channels;
      if (typeof channels !== "object" || channels === null || Array.isArray(channels)) {
        return invalid("resume needs channels: an object of channelId → last seq seen.");
      }
      const entries = Object.entries(channels);
      if (entries.length > MAX_RESUME_CHANNELS) {
        return invalid(`resume names at most ${MAX_RESUME_CHANNELS} channels.`);
      }
      for (const [id, seq] of entries) {
        if (!isId(id) || typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) {
          return invalid("resume channels must map channel ids to whole numbers ≥ 0.");
        }
      }
      const since = frame.since;
      if (
        since !== undefined &&
        (!isString(since) || since.length > 40 || Number.isNaN(Date.parse(since)))
      ) {
        return invalid("resume's since must be an ISO time (a ready's serverTime, moved on).");
      }
      return {
        frame: {
          type: "resume",
          channels: Object.fromEntries(entries) as Record<string, number>,
          ...(since === undefined ? {} : { since: new Date(since).toISOString() }),
        },
      };
    }
    default:
      return {
        error: {
          code: "unknown_type",
          message: `Unknown frame type: ${JSON.stringify(frame.type)?.slice(0, 40)}.`,
        },
      };
  }
}
