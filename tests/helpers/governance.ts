/** Roles, overwrites and error checks over HTTP, for the permission tests. */
import assert from "node:assert/strict";
import type { WireRole } from "../../lib/realtime/protocol.ts";
import type { Person } from "./people.ts";

export interface ErrorBody {
  error: { code: string; message: string };
}

/** Asserts an error answer's status and code. */
export function assertError(
  answer: { status: number; body: unknown },
  status: number,
  code: string,
): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal((answer.body as ErrorBody).error.code, code, JSON.stringify(answer.body));
}

/** Creates a role as `person` (201 expected). */
export async function createRole(
  person: Person,
  serverId: string,
  body: Record<string, unknown>,
): Promise<WireRole> {
  const answer = await person.http.json<{ role: WireRole }>(
    "POST",
    `/api/servers/${serverId}/roles`,
    { json: body },
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.role;
}

/** Gives a role to a member as `person` (204 expected). */
export async function giveRole(
  person: Person,
  serverId: string,
  userId: string,
  roleId: string,
): Promise<void> {
  const response = await person.http.request(
    "PUT",
    `/api/servers/${serverId}/members/${userId}/roles/${roleId}`,
  );
  assert.equal(response.status, 204, await response.text());
}

/** Sets `@everyone`'s permissions as the owner. */
export async function setEveryone(
  owner: Person,
  serverId: string,
  permissions: string[],
): Promise<void> {
  const answer = await owner.http.json("PATCH", `/api/servers/${serverId}/roles/${serverId}`, {
    json: { permissions },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

/** Puts an overwrite on a channel as `person` (204 expected). */
export async function putOverwrite(
  person: Person,
  channelId: string,
  targetId: string,
  body: { type: "role" | "member"; allow?: string[]; deny?: string[] },
): Promise<void> {
  const response = await person.http.request(
    "PUT",
    `/api/channels/${channelId}/overwrites/${targetId}`,
    { json: body },
  );
  assert.equal(response.status, 204, await response.text());
}

/** The server's roles as `person` sees them. */
export async function listRoles(person: Person, serverId: string): Promise<WireRole[]> {
  const answer = await person.http.json<{ roles: WireRole[] }>(
    "GET",
    `/api/servers/${serverId}/roles`,
  );
  assert.equal(answer.status, 200);
  return answer.body.roles;
}
