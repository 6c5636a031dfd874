/**
 * The server half of the islands layer.
 *
 * `island(name, Component)` wraps a component from islands/ so that, while a page renders, it
 * emits `<salon-island data-island="Name" data-props="i">…server HTML…</salon-island>` (with
 * `data-module` naming its bundle when it is in one, see bundles.ts) and records
 * its props in the page's `IslandCollector`. The browser (islands/runtime/boot.ts) then hydrates
 * each marked element. An island rendered inside another island is a plain component, as in
 * Fresh: only the outermost one is hydrated, and it hydrates its children itself.
 * `<salon-island>` is styled `display: contents`, so the marker never affects layout.
 */
import { createContext, h } from "preact";
import type { ComponentProps, ComponentType } from "preact";
import { useContext } from "preact/hooks";
import { islandBundle } from "./bundles.ts";

/** Collects the islands used while rendering one page. */
export class IslandCollector {
  readonly names = new Set<string>();
  readonly props: unknown[] = [];

  add(name: string, props: unknown): number {
    this.names.add(name);
    this.props.push(props);
    return this.props.length - 1;
  }
}

interface IslandScope {
  collector: IslandCollector | null;
  insideIsland: boolean;
}

/** Set by `renderPage`; absent when a component renders outside a page (then islands are plain). */
export const IslandContext = createContext<IslandScope>({ collector: null, insideIsland: false });

/** Marks `Component` (the default export of islands/<name>.tsx) as an island called `name`. */
export function island<P extends object>(
  name: string,
  Component: ComponentType<P>,
): ComponentType<P> {
  function Island(props: P) {
    const scope = useContext(IslandContext);
    if (!scope.collector || scope.insideIsland) return h(Component, props);
    const index = scope.collector.add(name, props);
    const bundle = islandBundle(name);
    return h(
      "salon-island",
      // An island of a bundle names it: the browser imports the bundle, not the island's file.
      { "data-island": name, "data-props": String(index), ...bundle && { "data-module": bundle } },
      h(
        IslandContext.Provider,
        { value: { collector: scope.collector, insideIsland: true } },
        h(Component, props),
      ),
    );
  }
  Island.displayName = `Island(${name})`;
  return Island;
}

/** Island modules by name, as the manifest (fresh.gen.ts) lists them. */
// deno-lint-ignore no-explicit-any
type IslandModules = Record<string, { default: ComponentType<any> }>;

/** Each island of `M` as a component taking that island's props. */
export type IslandRegistry<M extends IslandModules> = {
  [Name in keyof M]: ComponentType<ComponentProps<M[Name]["default"]>>;
};

/** Every island of the manifest marked with `island(name, …)` under its name, props kept. */
export function registerIslands<M extends IslandModules>(
  modules: M,
): IslandRegistry<M> {
  const registry: Record<string, ComponentType> = {};
  for (const [name, module] of Object.entries(modules)) {
    registry[name] = island(name, module.default);
  }
  return registry as IslandRegistry<M>;
}
