/**
 * The island registry: each component of islands/ wrapped for server rendering under the name
 * of its file (the build bundles islands/<Name>.tsx into /build/<Name>.js). Pages import islands
 * from here, never from islands/ directly, so they are always marked for hydration.
 */
import { island } from "../lib/islands/island.ts";
import AvatarPickerIsland from "../islands/AvatarPicker.tsx";
import ChannelNavIsland from "../islands/ChannelNav.tsx";
import ChannelShortcutsIsland from "../islands/ChannelShortcuts.tsx";
import ChatPresenceIsland from "../islands/ChatPresence.tsx";
import DrawerButtonIsland from "../islands/DrawerButton.tsx";
import InviteButtonIsland from "../islands/InviteButton.tsx";
import MessageInputIsland from "../islands/MessageInput.tsx";
import MessageListIsland from "../islands/MessageList.tsx";
import ProfileFieldsIsland from "../islands/ProfileFields.tsx";
import ProfilePreviewIsland from "../islands/ProfilePreview.tsx";
import QuickSwitcherIsland from "../islands/QuickSwitcher.tsx";
import ServerRailIsland from "../islands/ServerRail.tsx";
import ThemeToggleIsland from "../islands/ThemeToggle.tsx";

export const AvatarPicker = island("AvatarPicker", AvatarPickerIsland);
export const ChannelNav = island("ChannelNav", ChannelNavIsland);
export const ChannelShortcuts = island("ChannelShortcuts", ChannelShortcutsIsland);
export const ChatPresence = island("ChatPresence", ChatPresenceIsland);
export const DrawerButton = island("DrawerButton", DrawerButtonIsland);
export const InviteButton = island("InviteButton", InviteButtonIsland);
export const MessageInput = island("MessageInput", MessageInputIsland);
export const MessageList = island("MessageList", MessageListIsland);
export const ProfileFields = island("ProfileFields", ProfileFieldsIsland);
export const ProfilePreview = island("ProfilePreview", ProfilePreviewIsland);
export const QuickSwitcher = island("QuickSwitcher", QuickSwitcherIsland);
export const ServerRail = island("ServerRail", ServerRailIsland);
export const ThemeToggle = island("ThemeToggle", ThemeToggleIsland);
