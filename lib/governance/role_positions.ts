/**
 * Role positions: the roles besides `@everyone` hold 1…n, one each (a higher position is a
 * higher role). Creating a role puts it at the bottom (1, as Discord does) and moving one shifts
 * those in between, so positions stay distinct and the hierarchy never has ties.
 */
import type { RoleRecord } from "../../db/store.ts";

function byPosition(a: RoleRecord, b: RoleRecord): number {
  return a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Every non-default role's position once `roleId` (one of `roles`) is placed at `position`
 * (clamped to 1…n); `@everyone` (`serverId`) is left out. Pure.
 */
export function placeRole(
  roles: readonly RoleRecord[],
  serverId: string,
  roleId: string,
  position: number,
): Map<string, number> {
  const moving = roles.find((role) => role.id === roleId);
  const others = roles
    .filter((role) => role.id !== serverId && role.id !== roleId)
    .sort(byPosition);
  const order = others.map((role) => role.id);
  if (moving) {
    const index = Math.min(Math.max(Math.trunc(position) - 1, 0), order.length);
    order.splice(index, 0, moving.id);
  }
  return new Map(order.map((id, i) => [id, i + 1]));
}

/** The roles whose position differs in `placed`, with their new position. */
export function movedRoles(
  roles: readonly RoleRecord[],
  placed: ReadonlyMap<string, number>,
): { role: RoleRecord; position: number }[] {
  return roles.flatMap((role) => {
    const position = placed.get(role.id);
    return position === undefined || position === role.position ? [] : [{ role, position }];
  });
}
