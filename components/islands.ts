/**
 * The island registry: each component of islands/ wrapped for server rendering under the name
 * of its file (the build bundles islands/<Name>.tsx into /build/<Name>.js). Pages import islands
 * from here, never from islands/ directly, so they are always marked for hydration.
 */
import { island } from "../lib/islands/island.ts";
import AvatarPickerIsland from "../islands/AvatarPicker.tsx";
import ProfileFieldsIsland from "../islands/ProfileFields.tsx";
import ProfilePreviewIsland from "../islands/ProfilePreview.tsx";

export const AvatarPicker = island("AvatarPicker", AvatarPickerIsland);
export const ProfileFields = island("ProfileFields", ProfileFieldsIsland);
export const ProfilePreview = island("ProfilePreview", ProfilePreviewIsland);
