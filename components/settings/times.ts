/** Dates on the settings page, rendered on the server, which knows no reader's time zone. */

const UTC_FORMAT = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/** "1 Dec 2026, 23:05 UTC" for an ISO timestamp. */
export function formatUtc(iso: string): string {
  return `${UTC_FORMAT.format(new Date(iso))} UTC`;
}
