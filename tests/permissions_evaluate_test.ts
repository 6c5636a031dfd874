/** Permission evaluation alone (lib/permissions/evaluate.ts): Discord's order, step by step. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { evaluate, permissionBits, TIMED_OUT_DENIED } from "../lib/permissions/evaluate.ts";
import type { EvaluationInput, OverwriteBits, RoleGrant } from "../lib/permissions/evaluate.ts";
import {
  ALL_PERMISSIONS,
  has,
  PERMISSIONS,
  toBits,
  toNames,
} from "../lib/permissions/permission_names.ts";
import type { Permission } from "../lib/permissions/permission_names.ts";

const SERVER = "srv";
const everyone = (...names: Permission[]): RoleGrant => ({
  id: SERVER,
  name: "@everyone",
  bits: toBits(names),
});
const role = (id: string, ...names: Permission[]): RoleGrant => ({
  id,
  name: id,
  bits: toBits(names),
});
const overwrite = (
  targetId: string,
  type: "role" | "member",
  allow: Permission[],
  deny: Permission[],
): OverwriteBits => ({ targetId, type, allow: toBits(allow), deny: toBits(deny) });

function input(patch: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    userId: "u1",
    isOwner: false,
    everyone: everyone("view_channel", "send_messages", "read_history"),
    roles: [],
    ...patch,
  };
}

/** The names the evaluation ends with. */
const names = (i: EvaluationInput) => toNames(evaluate(i).bits);

Deno.test("evaluate - the owner holds every permission, whatever the overwrites", () => {
  const result = evaluate(input({
    isOwner: true,
    everyone: everyone(),
    overwrites: [
      overwrite(SERVER, "role", [], [...PERMISSIONS]),
      overwrite("u1", "member", [], ["view_channel"]),
    ],
  }));
  assert.equal(result.bits, ALL_PERMISSIONS);
  assert.deepEqual(result.steps.map((s) => s.source), ["server owner: every permission"]);
});

Deno.test("evaluate - server level: the union of @everyone's and the roles' permissions", () => {
  const result = evaluate(input({
    everyone: everyone("view_channel"),
    roles: [role("mods", "manage_messages"), role("helpers", "kick_members")],
  }));
  assert.deepEqual(toNames(result.bits), ["view_channel", "manage_messages", "kick_members"]);
  assert.deepEqual(result.steps, [
    { source: "@everyone", allow: ["view_channel"], deny: [] },
    { source: 'role "mods"', allow: ["manage_messages"], deny: [] },
    { source: 'role "helpers"', allow: ["kick_members"], deny: [] },
  ]);
});

Deno.test("evaluate - administrator gives everything and ignores the channel's overwrites", () => {
  const result = evaluate(input({
    roles: [role("admins", "administrator")],
    overwrites: [
      overwrite(SERVER, "role", [], ["view_channel"]),
      overwrite("admins", "role", [], ["view_channel", "send_messages"]),
      overwrite("u1", "member", [], ["view_channel"]),
    ],
  }));
  assert.equal(result.bits, ALL_PERMISSIONS);
  assert.equal(
    result.steps.at(-1)!.source,
    "administrator: every permission, channel overwrites ignored",
  );
  assert.equal(result.steps.some((s) => s.source.startsWith("channel overwrite")), false);
});

Deno.test("evaluate - @everyone's overwrite: deny, then allow (allow wins the same bit)", () => {
  assert.deepEqual(
    names(
      input({ overwrites: [overwrite(SERVER, "role", ["manage_messages"], ["send_messages"])] }),
    ),
    ["view_channel", "read_history", "manage_messages"],
  );
  assert.deepEqual(
    names(input({ overwrites: [overwrite(SERVER, "role", ["send_messages"], ["send_messages"])] })),
    ["view_channel", "send_messages", "read_history"],
    "denied then allowed: allowed",
  );
});

Deno.test("evaluate - roles' overwrites: every deny first, then every allow", () => {
  const roles = [role("muted"), role("speakers")];
  // One role's allow beats another role's deny, in whichever order the member holds them.
  for (const order of [roles, [...roles].reverse()]) {
    const result = evaluate(input({
      roles: order,
      overwrites: [
        overwrite("muted", "role", [], ["send_messages", "read_history"]),
        overwrite("speakers", "role", ["send_messages"], []),
      ],
    }));
    assert.deepEqual(toNames(result.bits), ["view_channel", "send_messages"]);
  }
  // A role's allow beats @everyone's deny (roles come after).
  assert.deepEqual(
    names(input({
      everyone: everyone("send_messages"),
      roles: [role("readers")],
      overwrites: [
        overwrite(SERVER, "role", [], ["view_channel"]),
        overwrite("readers", "role", ["view_channel"], []),
      ],
    })),
    ["view_channel", "send_messages"],
  );
  // A role's deny beats @everyone's allow.
  assert.deepEqual(
    names(input({
      roles: [role("muted")],
      overwrites: [
        overwrite(SERVER, "role", ["attach_files"], []),
        overwrite("muted", "role", [], ["attach_files", "send_messages"]),
      ],
    })),
    ["view_channel", "read_history"],
  );
  // Overwrites of roles the member does not hold play no part.
  assert.deepEqual(
    names(input({ overwrites: [overwrite("others", "role", [], ["view_channel"])] })),
    ["view_channel", "send_messages", "read_history"],
  );
});

Deno.test("evaluate - the member's own overwrite comes last: deny, then allow", () => {
  const roles = [role("speakers")];
  const byRole = overwrite("speakers", "role", ["send_messages"], []);
  assert.deepEqual(
    names(input({ roles, overwrites: [byRole, overwrite("u1", "member", [], ["send_messages"])] })),
    ["view_channel", "read_history"],
    "the member's deny beats a role's allow",
  );
  assert.deepEqual(
    names(input({
      roles,
      overwrites: [
        overwrite("speakers", "role", [], ["view_channel"]),
        overwrite("u1", "member", ["view_channel"], []),
      ],
    })),
    ["view_channel", "send_messages", "read_history"],
    "the member's allow beats a role's deny",
  );
  assert.deepEqual(
    names(input({ overwrites: [overwrite("u1", "member", ["view_channel"], ["view_channel"])] })),
    ["view_channel", "send_messages", "read_history"],
    "denied then allowed on the member: allowed",
  );
  assert.deepEqual(
    names(input({ overwrites: [overwrite("u2", "member", [], ["view_channel"])] })),
    ["view_channel", "send_messages", "read_history"],
    "another member's overwrite plays no part",
  );
});

Deno.test("evaluate - every step names its source, in the order applied", () => {
  const result = evaluate(input({
    roles: [role("mods", "manage_messages"), role("muted")],
    overwrites: [
      overwrite(SERVER, "role", [], ["send_messages"]),
      overwrite("mods", "role", ["send_messages"], []),
      overwrite("muted", "role", [], ["read_history"]),
      overwrite("u1", "member", ["attach_files"], []),
    ],
  }));
  assert.deepEqual(result.steps, [
    { source: "@everyone", allow: ["view_channel", "send_messages", "read_history"], deny: [] },
    { source: 'role "mods"', allow: ["manage_messages"], deny: [] },
    { source: 'role "muted"', allow: [], deny: [] },
    { source: "channel overwrite for @everyone", allow: [], deny: ["send_messages"] },
    {
      source: 'channel overwrites for roles "mods", "muted"',
      allow: ["send_messages"],
      deny: ["read_history"],
    },
    { source: "channel overwrite for the member", allow: ["attach_files"], deny: [] },
  ]);
  assert.deepEqual(toNames(result.bits), [
    "view_channel",
    "send_messages",
    "attach_files",
    "manage_messages",
  ]);
});

Deno.test("evaluate - a time-out takes sending, reacting and attaching away, and says until when", () => {
  const until = new Date("2030-01-01T00:00:00Z");
  const result = evaluate(input({
    everyone: everyone("view_channel", "send_messages", "add_reactions", "attach_files"),
    overwrites: [],
    timedOutUntil: until,
  }));
  assert.deepEqual(toNames(result.bits), ["view_channel"]);
  assert.deepEqual(result.steps.at(-1), {
    source: "timed out until 2030-01-01T00:00:00.000Z",
    allow: [],
    deny: toNames(TIMED_OUT_DENIED),
  });
  const admin = evaluate(input({ roles: [role("a", "administrator")], timedOutUntil: until }));
  assert.equal(admin.bits, ALL_PERMISSIONS, "an administrator is not held by a time-out");
});

Deno.test("permissionBits - the same bits as evaluate, for any roles and overwrites", () => {
  const bits = fc.integer({ min: 0, max: ALL_PERMISSIONS });
  const ids = ["r1", "r2", "r3"];
  fc.assert(fc.property(
    bits,
    fc.subarray(ids),
    fc.array(
      fc.record({
        targetId: fc.constantFrom(SERVER, "u1", "u2", ...ids),
        type: fc.constantFrom("role" as const, "member" as const),
        allow: bits,
        deny: bits,
      }),
      { maxLength: 6 },
    ),
    fc.array(bits, { minLength: 3, maxLength: 3 }),
    fc.boolean(),
    (everyoneBits, held, overwrites, roleBits, owner) => {
      // Distinct targets, as a channel stores at most one overwrite per target.
      const seen = new Set<string>();
      const unique = overwrites.filter((o) => !seen.has(o.targetId) && seen.add(o.targetId));
      const subject = input({
        isOwner: owner,
        everyone: { id: SERVER, name: "@everyone", bits: everyoneBits },
        roles: held.map((id) => ({ id, name: id, bits: roleBits[ids.indexOf(id)] })),
        overwrites: unique,
      });
      const result = evaluate(subject);
      assert.equal(permissionBits(subject), result.bits);
      if (
        owner || has(
          everyoneBits | held.reduce((b, id) => b | roleBits[ids.indexOf(id)], 0),
          "administrator",
        )
      ) {
        assert.equal(result.bits, ALL_PERMISSIONS);
      }
    },
  ));
});
