/**
 * The frame the channel page and the DM pages share: the navigation drawer (the server rail and
 * a sidebar; a drawer on phones, opened by the header's menu button and closed by tapping
 * beside it) and the main column's header.
 */
import type { ComponentChildren } from "preact";
import { DrawerButton } from "../islands.ts";

/** The header's and the toolbar's icon buttons. */
export const ICON_BUTTON =
  "rounded-md p-1.5 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800";

/** `#channels`: the rail and the sidebar given, side by side; a drawer below `md`. */
export function NavigationDrawer({ children }: { children: ComponentChildren }) {
  return (
    <div
      id="channels"
      class="fixed inset-0 z-20 hidden bg-slate-900/40 transition-transform duration-200 target:flex data-[open]:flex max-md:starting:-translate-x-full md:static md:z-auto md:flex md:bg-transparent"
    >
      {children}
      <a
        href="#"
        data-drawer-close=""
        class="flex-1 md:hidden"
        aria-label="Close the channel list"
      />
    </div>
  );
}

/** The main column's header: the drawer's menu button (`menuLabel`, phones only), then children. */
export function MainHeader(
  { menuLabel, children }: { menuLabel: string; children: ComponentChildren },
) {
  return (
    <header class="flex items-center gap-2 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
      <DrawerButton
        target="channels"
        label={menuLabel}
        icon="menu"
        class={`${ICON_BUTTON} md:hidden`}
      />
      {children}
    </header>
  );
}
