/**
 * Markdown-lite for messages, one renderer for the server and the islands: **bold**, _italic_,
 * `code`, fenced code blocks, > quotes, http(s) links and @mentions. It builds Preact elements
 * from text, never HTML strings, so user text can only ever be text; links are made only for
 * http(s) URLs and always open with rel="noopener noreferrer". An `@name` is highlighted only
 * when it names someone who can be mentioned (when that list is known).
 */
import type { ComponentChildren } from "preact";
import { MENTION_SOURCE } from "./mentions.ts";

const INLINE = new RegExp(
  String
    .raw`(\`[^\`\n]+\`)|(\*\*[^*\n]+?\*\*)|(?<![\w])(_[^_\n]+?_)(?![\w])|(https?:\/\/[^\s<>"'\`]+)|` +
    MENTION_SOURCE,
  "gi",
);
/** Characters that end a sentence rather than a URL. */
const URL_TRAILER = /[.,;:!?)\]}'"]+$/;

function safeUrl(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** What a message is rendered for. */
export interface MarkdownOptions {
  /** The reader's username: mentions of them stand out more. */
  me?: string;
  /** Usernames that are mentions (the server's members); without it every `@name` is one. */
  mentionable?: ReadonlySet<string>;
  /** Follows the text on its last line (e.g. "(edited)"), or after the last block. */
  trailer?: ComponentChildren;
}

/** Inline marks of one line of text. `me` may be the reader's username or the full options. */
export function renderInline(
  text: string,
  options: MarkdownOptions | string = {},
): ComponentChildren[] {
  const { me, mentionable } = typeof options === "string" ? { me: options } : options;
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    let [token] = match;
    const [, code, bold, italic, url, mention] = match;
    let start = match.index!;
    if (url) {
      token = url.replace(URL_TRAILER, "");
    }
    if (start > last) out.push(text.slice(last, start));
    if (code) {
      out.push(
        <code class="rounded bg-slate-200 px-1 font-mono text-[0.9em] dark:bg-slate-800">
          {code.slice(1, -1)}
        </code>,
      );
    } else if (bold) {
      out.push(<strong>{bold.slice(2, -2)}</strong>);
    } else if (italic) {
      out.push(<em>{italic.slice(1, -1)}</em>);
    } else if (url) {
      const href = safeUrl(token);
      out.push(
        href
          ? (
            <a
              href={href}
              target="_blank"
              rel="noopener noreferrer"
              class="text-brand-600 underline dark:text-brand-100"
            >
              {token}
            </a>
          )
          : token,
      );
    } else if (mention && !isMentionable(mention, me, mentionable)) {
      out.push(mention);
    } else if (mention) {
      const self = me !== undefined && mention.slice(1).toLowerCase() === me;
      out.push(
        <span
          class={`rounded px-0.5 font-medium ${
            self
              ? "bg-amber-200 text-amber-900"
              : "bg-brand-100 text-brand-700 dark:bg-slate-700 dark:text-brand-100"
          }`}
          data-mention={mention.slice(1).toLowerCase()}
        >
          {mention}
        </span>,
      );
    }
    last = start + token.length;
    start = last;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function isMentionable(mention: string, me?: string, mentionable?: ReadonlySet<string>) {
  const name = mention.slice(1).toLowerCase();
  return !mentionable || mentionable.has(name) || name === me;
}

/**
 * A whole message: fenced code blocks and quote blocks, inline marks elsewhere. `me` may be the
 * reader's username or the full options.
 */
export function renderMarkdown(
  text: string,
  options: MarkdownOptions | string = {},
): ComponentChildren[] {
  const opts = typeof options === "string" ? { me: options } : options;
  const lines = text.split("\n");
  const out: ComponentChildren[] = [];
  let paragraph: string[] = [];
  const flush = (trailer?: ComponentChildren) => {
    if (paragraph.length === 0) return;
    out.push(
      <span class="block whitespace-pre-wrap">{joinLines(paragraph, opts)}{trailer}</span>,
    );
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("```")) {
      const end = lines.findIndex((candidate, j) => j > i && candidate.startsWith("```"));
      if (end !== -1) {
        flush();
        out.push(
          <pre class="my-1 overflow-x-auto rounded-md bg-slate-100 p-2 font-mono text-sm dark:bg-slate-900">
            <code>{lines.slice(i + 1, end).join("\n")}</code>
          </pre>,
        );
        i = end;
        continue;
      }
    }
    if (line.startsWith("> ") || line === ">") {
      flush();
      const quoted: string[] = [];
      while (i < lines.length && (lines[i].startsWith("> ") || lines[i] === ">")) {
        quoted.push(lines[i].slice(2));
        i++;
      }
      i--;
      out.push(
        <blockquote class="my-1 whitespace-pre-wrap border-l-4 border-slate-300 pl-2 text-slate-600 dark:border-slate-600 dark:text-slate-300">
          {joinLines(quoted, opts)}
        </blockquote>,
      );
      continue;
    }
    paragraph.push(line);
  }
  // Ending on a paragraph, the trailer joins its last line (it wraps below only when too long).
  if (paragraph.length > 0) flush(opts.trailer);
  else if (opts.trailer !== undefined) out.push(opts.trailer);
  return out;
}

function joinLines(lines: string[], options: MarkdownOptions): ComponentChildren[] {
  return lines.flatMap((line, i) =>
    (i === 0 ? [] : ["\n"]).concat(renderInline(line, options) as string[])
  );
}
