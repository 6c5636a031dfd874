/**
 * Writes the installable app's PNG icons (static/icons/) from static/favicon.svg with sharp:
 * browsers want raster icons of 192 and 512 px in a web app manifest, and a "maskable" one
 * whose artwork keeps to the inner 80 % (the safe zone) over a full-bleed background, since
 * launchers crop it to their own shape. The PNGs are committed (a few KB); run this again
 * after changing the logo:
 *
 *     deno run -A lib/assets/app_icons.ts
 */
const ROOT = new URL("../../", import.meta.url);
/** The sizes the manifest lists (routes/pwa.ts). */
export const APP_ICON_SIZES = [192, 512] as const;
const BRAND = "#5865f2";

/** Writes static/icons/icon-<size>.png and maskable-<size>.png; returns the paths written. */
export async function writeAppIcons(): Promise<string[]> {
  // Loaded here: the server imports this module for the sizes only.
  const { default: sharp } = await import("sharp");
  const svg = await Deno.readFile(new URL("static/favicon.svg", ROOT));
  const written: string[] = [];
  for (const size of APP_ICON_SIZES) {
    const plain = await sharp(svg, { density: 72 * size / 64 }).resize(size, size).png()
      .toBuffer();
    const inner = Math.round(size * 0.8);
    const art = await sharp(svg, { density: 72 * inner / 64 }).resize(inner, inner).png()
      .toBuffer();
    const offset = Math.round((size - inner) / 2);
    const maskable = await sharp({
      create: { width: size, height: size, channels: 4, background: BRAND },
    }).composite([{ input: art, left: offset, top: offset }]).png().toBuffer();
    for (const [name, bytes] of [[`icon-${size}.png`, plain], [`maskable-${size}.png`, maskable]]) {
      const path = new URL(`static/icons/${name}`, ROOT);
      await Deno.writeFile(path, bytes as Uint8Array);
      written.push(path.pathname);
    }
  }
  return written;
}

if (import.meta.main) {
  for (const path of await writeAppIcons()) console.log(`Wrote ${path}`);
}
