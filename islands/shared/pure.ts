/**
 * `pure(Component)`: re-renders only when a prop changes (shallow comparison), like React's
 * `memo`. Written here because `preact/compat`'s memo brings compat's global option hooks and
 * 3.6 KB into every page that uses it; this is the part we need.
 */
import { Component, h } from "preact";
import type { ComponentType } from "preact";

export function pure<P extends object>(Inner: ComponentType<P>): ComponentType<P> {
  return class Pure extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const current = this.props as Record<string, unknown>;
      const incoming = next as Record<string, unknown>;
      for (const key in incoming) if (incoming[key] !== current[key]) return true;
      for (const key in current) if (!(key in incoming)) return true;
      return false;
    }
    override render() {
      return h(Inner, this.props);
    }
  };
}
