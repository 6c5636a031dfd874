/**
 * A role's colour for CSS, alone in its module: the member list's dots need it on the chat page,
 * which should not load every label of labels.ts with it.
 */

/** A role colour (0xRRGGBB) as a CSS hex colour. */
export function hexColor(color: number | null): string {
  return color === null ? "#99aab5" : `#${color.toString(16).padStart(6, "0")}`;
}
