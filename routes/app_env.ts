/** Hono's typed context for Salon: what middleware puts in `c.var`. */
import type { Authenticated } from "../lib/accounts/account_service.ts";

export interface AppEnv {
  Variables: {
    /** Set by the session middleware: the caller, or null if not logged in. */
    auth: Authenticated | null;
    /** Set by the client-address middleware: the caller's IP (see TRUST_PROXY). */
    clientIp: string;
  };
}
