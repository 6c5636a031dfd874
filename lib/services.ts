/** Builds the domain services over a store: the one composition root main.ts and tests share. */
import type { Store } from "../db/store.ts";
import { AccountService } from "./accounts.ts";
import type { Config } from "./config.ts";
import { resolveJwtSecret } from "./jwt_secret.ts";
import { createTokenSigner } from "./tokens.ts";

export interface Services {
  accounts: AccountService;
}

export async function createServices(config: Config, store: Store): Promise<Services> {
  const tokens = createTokenSigner(await resolveJwtSecret(config, store));
  const accounts = new AccountService({
    store,
    tokens,
    bcryptCost: config.bcryptCost,
    loginRateLimit: config.rateLimits.login,
    registerRateLimit: config.rateLimits.register,
  });
  return { accounts };
}
