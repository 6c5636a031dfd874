/**
 * What every chat service is built from: the store, the permission snapshots, the bus's
 * publish, and a clock.
 */
import type { Store } from "../../db/store.ts";
import type { AccessBook } from "../permissions/access_book.ts";
import type { Publish } from "../realtime/envelope.ts";

export interface ChatDeps {
  store: Store;
  /** This instance's permission snapshots (shared with the hub, which keeps them current). */
  access: AccessBook;
  publish: Publish;
  now: () => number;
}
