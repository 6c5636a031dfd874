/**
 * The chat page's islands in one bundle (static/build/runtime/chat_page.js): they always load
 * together, and one file compresses far better than a file per island plus the chunks they
 * share (each gzipped alone, with no dictionary in common): the page's JavaScript budget,
 * ≤ 40 KB gzip (this saved 5.8 KB of its 40.9). The build (lib/assets/build.ts) reads the list
 * below: each island named here is bundled only into this file, and static/build/<Name>.js
 * becomes a one-line module re-exporting it. The server marks these islands with
 * `data-module` (lib/islands/bundles.ts), and islands/runtime/boot.ts imports this bundle for
 * them.
 *
 * Only islands no other page uses belong here: another page would load the whole chat page
 * (ThemeToggle and ServerRail are on other pages too; LeaveServerButton is only in ServerHeader).
 * Every line has this form (the build fails on one it cannot read).
 */
export { default as AppShell } from "../AppShell.tsx";
export { default as ChannelHeading } from "../ChannelHeading.tsx";
export { default as ChannelNav } from "../ChannelNav.tsx";
export { default as ChannelShortcuts } from "../ChannelShortcuts.tsx";
export { default as ChatPresence } from "../ChatPresence.tsx";
export { default as DrawerButton } from "../DrawerButton.tsx";
export { default as GoneNotice } from "../GoneNotice.tsx";
export { default as InviteButton } from "../InviteButton.tsx";
export { default as LeaveServerButton } from "../LeaveServerButton.tsx";
export { default as MessageInput } from "../MessageInput.tsx";
export { default as MessageList } from "../MessageList.tsx";
export { default as PinnedMessages } from "../PinnedMessages.tsx";
export { default as QuickSwitcher } from "../QuickSwitcher.tsx";
export { default as ServerHeader } from "../ServerHeader.tsx";
