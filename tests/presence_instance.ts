/**
 * A Salon instance in a process of its own, for tests that kill it (presence_ttl_test.ts, the
 * fault tests): the real services and app over the store and bus the environment names, with
 * short heartbeats. Prints `listening <port>` once it serves.
 *
 * Environment: the app's own (BUS, REDIS_URL, NATS_URL, BUS_PREFIX), and STORE_KV_PATH or
 * STORE_PG_URL + STORE_PG_SCHEMA, BUS_CHANNEL (PostgreSQL), HEARTBEAT_MS, INSTANCE_EXPIRY_MS.
 */
import { openKvStore } from "../db/kv/kv_store.ts";
import { openPostgresStore } from "../db/postgres/postgres_store.ts";
import { loadConfig } from "../lib/config.ts";
import { createServices } from "../lib/services.ts";
import { createApp } from "../routes/app.ts";

const env = Deno.env.toObject();
const config = {
  ...loadConfig({ ...env, BCRYPT_COST: "4", SECURITY_LOG: "off", PORT: "0" }),
  databaseUrl: env.STORE_PG_URL,
};
const store = env.STORE_PG_URL
  ? await openPostgresStore(env.STORE_PG_URL, { schema: env.STORE_PG_SCHEMA, max: 4 })
  : await openKvStore(env.STORE_KV_PATH);
const services = await createServices(config, store, {
  busChannel: env.BUS_CHANNEL,
  heartbeatMs: Number(env.HEARTBEAT_MS),
  instanceExpiryMs: Number(env.INSTANCE_EXPIRY_MS),
});
const app = createApp({ config, ...services });
Deno.serve({
  port: Number(env.PORT ?? 0),
  hostname: "127.0.0.1",
  onListen: ({ port }) => console.log(`listening ${port}`),
}, app.fetch);
