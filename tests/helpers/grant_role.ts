/** Roles for governance tests, made through the API as a client would (the owner acts). */
import assert from "node:assert/strict";
import type { Person } from "./people.ts";

/** Creates a role holding `permissions`; returns its id (new roles go to the bottom). */
export async function createRole(
  owner: Person,
  serverId: string,
  permissions: string[],
  name = "mods",
): Promise<string> {
  const created = await owner.http.json<{ role: { id: string } }>(
    "POST",
    `/api/servers/${serverId}/roles`,
    { json: { name, permissions } },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.role.id;
}

/** Gives `member` the role. */
export async function giveRole(
  owner: Person,
  serverId: string,
  member: Person,
  roleId: string,
): Promise<void> {
  const response = await owner.http.request(
    "PUT",
    `/api/servers/${serverId}/members/${member.id}/roles/${roleId}`,
  );
  assert.equal(response.status, 204, await response.text());
}

/** Gives `member` a new role holding `permissions`; returns the role's id. */
export async function grant(
  owner: Person,
  serverId: string,
  member: Person,
  permissions: string[],
): Promise<string> {
  const roleId = await createRole(owner, serverId, permissions);
  await giveRole(owner, serverId, member, roleId);
  return roleId;
}

/** Sets `@everyone`'s permissions (its id is the server's). */
export async function setEveryone(
  owner: Person,
  serverId: string,
  permissions: string[],
): Promise<void> {
  const patched = await owner.http.json(
    "PATCH",
    `/api/servers/${serverId}/roles/${serverId}`,
    { json: { permissions } },
  );
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
}
