import { hexColor } from "./role_color.ts";

/**
 * A role's colour as a dot. SVG's `fill` attribute, not a style: the page's CSP allows no
 * inline styles.
 */
export function RoleDot({ color }: { color: number | null }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 10 10" class="h-3 w-3 shrink-0">
      <circle cx="5" cy="5" r="5" fill={hexColor(color)} />
    </svg>
  );
}
