/**
 * `lazy(load)`: a component whose code is imported the first time it renders (a chunk of its
 * own in the build), for what a page rarely opens: dialogs, panels, the emoji picker. The chat
 * page's first load then carries only what it shows (its JavaScript budget: ≤ 40 KB gzip).
 * Renders nothing until the code is here (a moment, the first time only: once loaded it renders
 * at once), and nothing on the server.
 */
import { useSignal } from "@preact/signals";
import type { ComponentType } from "preact";
import { useEffect } from "preact/hooks";

export function lazy<P extends object>(
  load: () => Promise<ComponentType<P>>,
): ComponentType<P> {
  let loading: Promise<ComponentType<P>> | null = null;
  let resolved: ComponentType<P> | null = null;
  return function Lazy(props: P) {
    const loaded = useSignal(resolved);
    useEffect(() => {
      if (loaded.value) return;
      loading ??= load();
      loading.then((Component) => {
        resolved = Component;
        loaded.value = Component;
      }, () => loading = null);
    }, []);
    const Component = loaded.value;
    return Component ? <Component {...props} /> : null;
  };
}
