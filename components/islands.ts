/**
 * The island registry: every island of the generated manifest (fresh.gen.ts, which lists each
 * islands/<Name>.tsx) wrapped for server rendering under its name (the build bundles it into
 * /build/<Name>.js). Pages import islands from here, never from islands/ directly, so they are
 * always marked for hydration. A name below that the manifest lacks fails type-checking, and
 * tests/islands_test.tsx fails when a manifest island is not exported here.
 */
import manifest from "../fresh.gen.ts";
import { registerIslands } from "../lib/islands/island.ts";

export const {
  AppShell,
  AvatarPicker,
  ChannelHeading,
  ChannelNav,
  ChannelShortcuts,
  ChatPresence,
  DmList,
  DrawerButton,
  GoneNotice,
  InviteButton,
  LeaveServerButton,
  MessageInput,
  MessageList,
  NotificationSettings,
  PinnedMessages,
  ProfileFields,
  ProfilePreview,
  QuickSwitcher,
  ServerHeader,
  ServerRail,
  ThemeToggle,
} = registerIslands(manifest.islands);
