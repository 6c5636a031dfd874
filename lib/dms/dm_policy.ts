/**
 * A user's DM policy (API.md "Direct messages", `PATCH /api/me {dmPolicy}`): who may open a DM
 * with them. The caller's own `user` answers carry it as `dmPolicy`.
 */
import type { DmPolicy } from "../../db/store.ts";
import { Invalid } from "../errors.ts";

export const DM_POLICIES: readonly DmPolicy[] = ["everyone", "server_members", "nobody"];

/** The policy of a PATCH body, or `400 invalid_dm_policy`. */
export function parseDmPolicy(raw: unknown): DmPolicy {
  if (typeof raw === "string" && (DM_POLICIES as readonly string[]).includes(raw)) {
    return raw as DmPolicy;
  }
  throw new Invalid(
    "invalid_dm_policy",
    `dmPolicy must be one of ${DM_POLICIES.join(", ")}: got ${JSON.stringify(raw)}.`,
    "dmPolicy",
  );
}
