/** What the routes need from the rest of the app, built once in main.ts (or by a test). */
import type { AccountService } from "../lib/accounts.ts";
import type { Config } from "../lib/config.ts";

export interface AppDeps {
  config: Config;
  accounts: AccountService;
}
