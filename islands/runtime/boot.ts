/**
 * The browser half of the islands layer: finds every `<salon-island>` the server rendered,
 * loads that island's module (built into /build/<Name>.js, next to /build/runtime/boot.js, or
 * the bundle its `data-module` names, which exports it under its name: the chat page's) and
 * hydrates it in place with its revived props. Loaded once per page by a module script the
 * layout emits.
 */
import { h, hydrate } from "preact";
import type { ComponentType } from "preact";
import { reviveProps } from "./props.ts";

/** The id of the `<script type="application/json">` holding every island's props. */
export const PROPS_ELEMENT_ID = "__salon_islands";

async function boot(): Promise<void> {
  const data = document.getElementById(PROPS_ELEMENT_ID)?.textContent;
  if (!data) return;
  const props = reviveProps<Record<string, unknown>[]>(data);
  const islands = document.querySelectorAll<HTMLElement>("salon-island");
  await Promise.all([...islands].map(async (element) => {
    const { island: name, module: bundle } = element.dataset;
    // A computed URL (not a template in import()) keeps the bundler from globbing the folder.
    const url = new URL(`../${bundle ?? `${name}.js`}`, import.meta.url).href;
    const module = await import(url) as Record<string, ComponentType>;
    hydrate(h(module[bundle ? name! : "default"], props[Number(element.dataset.props)]), element);
    element.dataset.hydrated = "";
  }));
  document.documentElement.dataset.islandsReady = "";
}

boot().catch((error) => console.error("Island hydration failed:", error));
