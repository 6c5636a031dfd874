/**
 * How the message list writes times. The server knows no reader's time zone: it renders UTC,
 * and the browser switches to local time once hydrated (`local`), so server and first client
 * render agree. Formatters are made once and results kept per timestamp: a list re-renders on
 * every message, and building an Intl formatter per call is what cost time there.
 */
const KEPT_MAX = 20_000;
const kept = new Map<string, string>();

function keep(key: string, make: () => string): string {
  let value = kept.get(key);
  if (value === undefined) {
    if (kept.size >= KEPT_MAX) kept.clear();
    value = make();
    kept.set(key, value);
  }
  return value;
}

let formats: Record<"time" | "full" | "day", Intl.DateTimeFormat> | undefined;
const localFormats = () =>
  formats ??= {
    time: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }),
    full: new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" }),
    day: new Intl.DateTimeFormat(undefined, { dateStyle: "long" }),
  };
const UTC_DAY = new Intl.DateTimeFormat("en", { timeZone: "UTC", dateStyle: "long" });

/** "14:05" (local) or "14:05 UTC" (server). */
export function shortTime(iso: string, local: boolean): string {
  if (!local) return `${iso.slice(11, 16)} UTC`;
  return keep(`t${iso}`, () => localFormats().time.format(new Date(iso)));
}

/** The full date and time, for a title on hover and focus (local: only in the browser). */
export function fullTime(iso: string): string {
  return keep(`f${iso}`, () => localFormats().full.format(new Date(iso)));
}

/** A key naming the calendar day of a time (local, or UTC on the server). */
export const dayOf = (local: boolean) => (iso: string): string =>
  local ? keep(`d${iso}`, () => new Date(iso).toDateString()) : iso.slice(0, 10);

/** "Today", "Yesterday", or the date. */
export function dayLabel(iso: string, local: boolean): string {
  const date = new Date(iso);
  if (!local) return UTC_DAY.format(date);
  const today = new Date();
  const yesterday = new Date(today.getTime() - 24 * 60 * 60 * 1000);
  const day = dayOf(true)(iso);
  if (day === today.toDateString()) return "Today";
  if (day === yesterday.toDateString()) return "Yesterday";
  return localFormats().day.format(date);
}
