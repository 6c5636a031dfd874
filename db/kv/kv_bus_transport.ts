/**
 * The part of a Deno KV database the KV bus (lib/realtime/kv_bus.ts) runs on: reading and
 * committing its log, and watching its head key. The KV store offers the database it keeps its
 * data in (Store.kvBusTransport), so the bus needs to know nothing else of the store.
 */
export type KvBusTransport = Pick<Deno.Kv, "get" | "atomic" | "list" | "watch">;
