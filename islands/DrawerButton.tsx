/**
 * Opens a drawer (the channel list or the member list on a phone). Without JavaScript it is a
 * link to `#id` and CSS `:target` shows the drawer; hydrated, it manages focus the way a dialog
 * does: focus moves into the drawer, the rest of the page is inert while it is open, Esc or a
 * close link (`[data-drawer-close]`) closes it, and focus returns to this button.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

export interface DrawerButtonProps {
  /** The drawer element's id. */
  target: string;
  label: string;
  /** What the button shows (its accessible name is `label`). */
  icon: keyof typeof ICONS;
  class?: string;
}

/** Inline SVG: no icon font, and no emoji font needed (many Linux machines have none). */
const ICONS = {
  menu: <path d="M4 6h16M4 12h16M4 18h16" />,
  members: (
    <>
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2.5 20c.8-3.6 3.3-5.5 6.5-5.5s5.7 1.9 6.5 5.5" />
      <path d="M15.5 4.8a3.5 3.5 0 0 1 0 6.4M18 14.8c1.9.8 3 2.5 3.5 5.2" />
    </>
  ),
};

const FOCUSABLE = "a[href], button:not([disabled]), input, textarea, select, [tabindex='0']";

export default function DrawerButton(
  { target, label, icon, class: className }: DrawerButtonProps,
) {
  const open = useSignal(false);
  const button = useRef<HTMLAnchorElement>(null);

  useEffect(() => {
    const drawer = document.getElementById(target);
    if (!drawer) return;
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === "Escape" && open.value) close();
    }
    function onClick(event: MouseEvent) {
      if ((event.target as Element).closest("[data-drawer-close]")) {
        event.preventDefault();
        close();
      }
    }
    drawer.addEventListener("click", onClick);
    addEventListener("keydown", onKeyDown);
    return () => {
      drawer.removeEventListener("click", onClick);
      removeEventListener("keydown", onKeyDown);
    };
  }, []);

  /** Everything else on the page (the siblings of the drawer and of each of its ancestors). */
  function others(drawer: HTMLElement): Element[] {
    const found: Element[] = [];
    for (let node: Element = drawer; node.parentElement; node = node.parentElement) {
      if (node === document.body) break;
      for (const sibling of node.parentElement.children) {
        if (sibling !== node && sibling.tagName !== "SCRIPT") found.push(sibling);
      }
    }
    return found;
  }

  function show(event: Event) {
    event.preventDefault();
    const drawer = document.getElementById(target)!;
    drawer.dataset.open = "";
    for (const element of others(drawer)) element.setAttribute("inert", "");
    open.value = true;
    drawer.querySelector<HTMLElement>(`[aria-current="page"], ${FOCUSABLE}`)?.focus();
  }

  function close() {
    const drawer = document.getElementById(target)!;
    delete drawer.dataset.open;
    for (const element of others(drawer)) element.removeAttribute("inert");
    open.value = false;
    button.current?.focus();
  }

  return (
    <a
      ref={button}
      href={`#${target}`}
      onClick={show}
      aria-controls={target}
      aria-expanded={open.value}
      aria-label={label}
      class={className}
    >
      <svg
        aria-hidden="true"
        viewBox="0 0 24 24"
        class="h-5 w-5"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linecap="round"
      >
        {ICONS[icon]}
      </svg>
    </a>
  );
}
