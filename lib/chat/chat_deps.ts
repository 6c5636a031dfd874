/** What every chat service is built from: the store, the bus's publish, and a clock. */
import type { Store } from "../../db/store.ts";
import type { Publish } from "../realtime/envelope.ts";

export interface ChatDeps {
  store: Store;
  publish: Publish;
  now: () => number;
}
