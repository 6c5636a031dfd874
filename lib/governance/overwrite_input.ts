/** Checks of a channel overwrite as `PUT /api/channels/:id/overwrites/:targetId` gives it. */
import type { OverwriteRecord } from "../../db/store.ts";
import { Invalid } from "../errors.ts";
import { toBits } from "../permissions/permission_names.ts";
import { checkPermissionNames } from "./permission_input.ts";

/** `{type, allow, deny}` checked: allow and deny default to none and may not share a name. */
export function checkOverwriteBody(
  input: Record<string, unknown>,
): Pick<OverwriteRecord, "type" | "allow" | "deny"> {
  const { type } = input;
  if (type !== "role" && type !== "member") {
    throw new Invalid(
      "invalid_overwrite",
      `type must be "role" or "member": got ${JSON.stringify(type)}.`,
      "type",
    );
  }
  const allow = input.allow === undefined ? [] : checkPermissionNames(input.allow, "allow");
  const deny = input.deny === undefined ? [] : checkPermissionNames(input.deny, "deny");
  for (const [field, names] of [["allow", allow], ["deny", deny]] as const) {
    // Administrator is a server-wide power, not something a channel can hand out (Discord).
    if (names.includes("administrator")) {
      throw new Invalid(
        "invalid_permissions",
        `${field}: administrator cannot be set on a channel.`,
        field,
      );
    }
  }
  const both = allow.filter((name) => deny.includes(name));
  if (both.length > 0) {
    throw new Invalid(
      "invalid_overwrite",
      `A permission cannot be both allowed and denied: ${both.join(", ")}.`,
      "allow",
    );
  }
  return { type, allow, deny };
}

/** The permission bits an overwrite change touches (what the actor must hold to make it). */
export function changedBits(
  before: Pick<OverwriteRecord, "allow" | "deny"> | undefined,
  after: Pick<OverwriteRecord, "allow" | "deny">,
): number {
  const oldAllow = toBits(before?.allow ?? []);
  const oldDeny = toBits(before?.deny ?? []);
  return (oldAllow ^ toBits(after.allow)) | (oldDeny ^ toBits(after.deny));
}
