/** What the routes need from the rest of the app, built once in main.ts (or by a test). */
import type { Config } from "../lib/config.ts";
import type { Services } from "../lib/services.ts";

export interface AppDeps
  extends Pick<Services, "accounts" | "chat" | "hub" | "openSocket" | "notifications"> {
  config: Config;
}
