import { SectionText, SettingsCard } from "./SettingsCard.tsx";

/** The Your data section: a plain link to GET /api/me/export, which downloads a ZIP. */
export function DataExportSection() {
  return (
    <SettingsCard id="export" title="Your data">
      <SectionText>
        A ZIP file with your profile, the servers you are in and every message you wrote (as JSON
        Lines).
      </SectionText>
      <a
        href="/api/me/export"
        download
        class="inline-flex items-center justify-center rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700 dark:hover:bg-slate-700"
      >
        Download your data
      </a>
    </SettingsCard>
  );
}
