/**
 * Mounts the search panel (SearchPanel.tsx) next to the channel header's search box, the
 * first time the box takes focus (islands/ChannelHeading.tsx listens for that): the panel's
 * code, its highlighting and its filter suggestions load then, not with the page.
 */
import { render } from "preact";
import SearchPanel from "./SearchPanel.tsx";

export function mountSearch(box: HTMLInputElement): void {
  if (box.dataset.searchMounted !== undefined || !box.form) return;
  box.dataset.searchMounted = "";
  box.onfocus = null;
  const host = document.createElement("div");
  box.form.append(host);
  render(<SearchPanel box={box} />, host);
}
