/** Checks of a role's fields as `POST` and `PATCH …/roles` give them (API.md's `role`). */
import type { RolePatch } from "../../db/store.ts";
import { Invalid } from "../errors.ts";
import { ROLE_NAME_MAX_LENGTH } from "../limits.ts";
import { characterCount } from "../text.ts";
import { checkPermissionNames } from "./permission_input.ts";

// Controls, line breaks and the bidi overrides that can disguise a name (as lib/text.ts).
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** A role name: 1–ROLE_NAME_MAX_LENGTH characters on one line, trimmed and NFC-normalised. */
export function cleanRoleName(raw: unknown): string {
  if (typeof raw !== "string" || !raw.isWellFormed()) {
    throw new Invalid("invalid_role_name", "Role name must be text.", "name");
  }
  const name = raw.normalize("NFC").trim();
  if (CONTROL.test(name)) {
    throw new Invalid("invalid_role_name", "Role name contains control characters.", "name");
  }
  const length = characterCount(name);
  if (length < 1 || length > ROLE_NAME_MAX_LENGTH) {
    throw new Invalid(
      "invalid_role_name",
      `Role name must be 1–${ROLE_NAME_MAX_LENGTH} characters: it has ${length}.`,
      "name",
    );
  }
  return name;
}

/** A color: an RGB integer 0–0xFFFFFF, or null for none. */
export function checkColor(raw: unknown): number | null {
  if (raw === null) return null;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 0 || raw > 0xffffff) {
    throw new Invalid(
      "invalid_color",
      `color must be null or an RGB integer from 0 to 16777215 (0xFFFFFF): got ${
        JSON.stringify(raw)
      }.`,
      "color",
    );
  }
  return raw;
}

function checkMentionable(raw: unknown): boolean {
  if (typeof raw !== "boolean") {
    throw new Invalid("invalid_mentionable", "mentionable must be true or false.", "mentionable");
  }
  return raw;
}

/** A position: a whole number, 1 or more (`@everyone` alone is 0). */
function checkPosition(raw: unknown): number {
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < 1) {
    throw new Invalid(
      "invalid_position",
      `position must be a whole number, 1 or more: got ${JSON.stringify(raw)}.`,
      "position",
    );
  }
  return raw;
}

/**
 * The fields present in a body, checked (absent ones stay absent). `create` requires a name
 * and refuses `position` (a new role starts at the bottom).
 */
export function checkRoleFields(
  input: Record<string, unknown>,
  mode: "create" | "update",
): RolePatch {
  const patch: RolePatch = {};
  if (input.name !== undefined || mode === "create") patch.name = cleanRoleName(input.name);
  if (input.permissions !== undefined) {
    patch.permissions = checkPermissionNames(input.permissions, "permissions");
  }
  if (input.color !== undefined) patch.color = checkColor(input.color);
  if (input.mentionable !== undefined) patch.mentionable = checkMentionable(input.mentionable);
  if (input.position !== undefined && mode === "update") {
    patch.position = checkPosition(input.position);
  }
  return patch;
}
