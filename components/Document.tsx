import type { ComponentChildren } from "preact";
import { islandModules } from "../lib/islands/bundles.ts";

export interface DocumentProps {
  title: string;
  /** Islands used on the page, for modulepreload hints. */
  islandNames: string[];
  /** Serialised island props, already escaped for a script element (null: no islands). */
  islandProps: string | null;
  children: ComponentChildren;
}

/**
 * The HTML shell of every page. No inline script runs (the CSP forbids it): island props sit in
 * a JSON script element and one external module script hydrates them.
 */
export function Document({ title, islandNames, islandProps, children }: DocumentProps) {
  return (
    <html lang="en" class="h-full">
      <head>
        <meta charset="utf-8" />
        <meta
          name="viewport"
          content="width=device-width, initial-scale=1, viewport-fit=cover, interactive-widget=resizes-content"
        />
        <meta name="color-scheme" content="light dark" />
        <title>{title === "Salon" ? title : `${title} · Salon`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        {/* Installable (routes/pwa.ts): the manifest, and the icon home screens use. */}
        <link rel="manifest" href="/manifest.webmanifest" />
        <link rel="apple-touch-icon" href="/icons/icon-192.png" />
        <meta name="theme-color" content="#5865f2" />
        <link rel="stylesheet" href="/build/app.css" />
        {
          /*
          The remembered colour theme ("system" follows the operating system; ThemeToggle
          changes it), applied before the page paints: loaded blocking here, as a file because
          the Content-Security-Policy allows no inline script. Kept small: it is on every page.
        */
        }
        <script src="/theme.js" />
        {islandProps !== null && (
          <>
            <link rel="modulepreload" href="/build/runtime/boot.js" />
            {islandModules(islandNames).map((file) => (
              <link key={file} rel="modulepreload" href={`/build/${file}`} />
            ))}
          </>
        )}
      </head>
      <body class="min-h-full bg-slate-100 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        {children}
        {islandProps !== null && (
          <>
            <script
              type="application/json"
              id="__salon_islands"
              dangerouslySetInnerHTML={{ __html: islandProps }}
            />
            <script type="module" src="/build/runtime/boot.js" />
          </>
        )}
      </body>
    </html>
  );
}
