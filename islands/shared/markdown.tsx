/**
 * Markdown-lite for messages, one renderer for the server and the islands: **bold**, _italic_,
 * ~~strike~~, `code`, ||spoilers|| (hidden until clicked, or Enter on it), fenced code blocks,
 * > quotes, `- ` / `1. ` lists, http(s) links, @mentions and the server's `:custom:` emoji. It builds Preact elements
 * from text, never HTML strings, so user text can only ever be text; links are made only for
 * http(s) URLs and always open with rel="noopener noreferrer". An `@name` is highlighted only
 * when it names someone who can be mentioned (when that list is known).
 */
import type { ComponentChildren } from "preact";
import { MENTION_SOURCE } from "./mentions.ts";

const INLINE = new RegExp(
  String
    .raw`(\`[^\`\n]+\`)|(\*\*[^*\n]+?\*\*)|(?<![\w])(_[^_\n]+?_)(?![\w])|(~~[^~\n]+?~~)|(\|\|[^|\n]+?\|\|)|(https?:\/\/[^\s<>"'\`]+)|(:[a-z0-9_]{2,32}:)|` +
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
  /** The server's custom emoji (name → image URL): `:name:` of one shows as its image. */
  emoji?: ReadonlyMap<string, string>;
}

/** Inline marks of one line of text. `me` may be the reader's username or the full options. */
export function renderInline(
  text: string,
  options: MarkdownOptions | string = {},
): ComponentChildren[] {
  const { me, mentionable, emoji } = typeof options === "string" ? { me: options } : options;
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    let [token] = match;
    const [, code, bold, italic, strike, spoiler, url, custom, mention] = match;
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
    } else if (strike) {
      out.push(<s>{renderInline(strike.slice(2, -2), options)}</s>);
    } else if (spoiler) {
      out.push(<Spoiler>{renderInline(spoiler.slice(2, -2), options)}</Spoiler>);
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
    } else if (custom) {
      const src = emoji?.get(custom.slice(1, -1));
      out.push(
        src
          ? (
            <img
              src={src}
              alt={custom}
              title={custom}
              class="inline-block h-6 w-6 object-contain align-text-bottom"
            />
          )
          : custom,
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

/**
 * Hidden text, shown on a click or Enter/Space (a button, so keyboards reach it). The renderer
 * is a pure function shared with the server, so the reveal is a data attribute set on the
 * element; without JavaScript, focusing it (a tap or Tab) shows it too.
 */
function Spoiler({ children }: { children: ComponentChildren }) {
  const reveal = (event: Event) => {
    const element = event.currentTarget as HTMLElement;
    element.dataset.revealed = "";
    element.setAttribute("aria-pressed", "true");
    // Shown, its name is its text.
    element.removeAttribute("aria-label");
  };
  return (
    <span
      role="button"
      tabIndex={0}
      aria-pressed="false"
      aria-label="Spoiler"
      data-spoiler=""
      class="cursor-pointer rounded bg-slate-700 px-0.5 text-transparent transition-colors focus:text-inherit data-[revealed]:cursor-auto data-[revealed]:bg-slate-200 data-[revealed]:text-inherit dark:bg-slate-600 dark:data-[revealed]:bg-slate-800"
      onClick={reveal}
      onKeyDown={(event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        reveal(event);
      }}
    >
      {children}
    </span>
  );
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
    const list = listItem(line);
    if (list) {
      flush();
      const items: string[] = [];
      while (i < lines.length && listItem(lines[i])?.ordered === list.ordered) {
        items.push(listItem(lines[i])!.text);
        i++;
      }
      i--;
      const children = items.map((item, n) => <li key={n}>{renderInline(item, opts)}</li>);
      out.push(
        list.ordered
          ? <ol class="my-1 list-decimal pl-6">{children}</ol>
          : <ul class="my-1 list-disc pl-6">{children}</ul>,
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

/** A list line: `- item`, `* item` or `1. item`. */
function listItem(line: string): { ordered: boolean; text: string } | null {
  const match = line.match(/^(?:([-*])|(\d{1,9})[.)]) (.*)$/);
  return match ? { ordered: match[2] !== undefined, text: match[3] } : null;
}

function joinLines(lines: string[], options: MarkdownOptions): ComponentChildren[] {
  return lines.flatMap((line, i) =>
    (i === 0 ? [] : ["\n"]).concat(renderInline(line, options) as string[])
  );
}
