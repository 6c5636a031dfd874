/**
 * B_pg and B_kv: the raw baselines for ingest. Single-row inserts with postgres.js at Salon's
 * pool size and default durability, and Deno KV atomic commits, each with `concurrency` writes
 * in flight, for `seconds`. Prints `{"opsPerSecond": …}`.
 *
 *   deno run -A bench/baseline_store.ts pg|kv <seconds> <concurrency> [databaseUrl|kvPath]
 */
import postgres from "postgres";

const [kind, secondsArg, concurrencyArg, target] = Deno.args;
const seconds = Number(secondsArg);
const concurrency = Number(concurrencyArg);

async function run(write: (i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    for (let i = worker; performance.now() < end; i += concurrency) {
      await write(i);
      done++;
    }
  }));
  return done / seconds;
}

let opsPerSecond: number;
if (kind === "pg") {
  const sql = postgres(target, { max: 10, onnotice: () => {} });
  await sql`CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, channel text, content text, created_at timestamptz)`;
  opsPerSecond = await run((i) =>
    sql`INSERT INTO bench_rows (channel, content, created_at) VALUES (${`c${i % 50}`}, ${
      "x".repeat(40)
    }, now())`
  );
  await sql`DROP TABLE bench_rows`;
  await sql.end();
} else {
  const kv = await Deno.openKv(target);
  opsPerSecond = await run(async (i) => {
    const key = ["bench", `c${i % 50}`, i];
    await kv.atomic().check({ key, versionstamp: null }).set(key, "x".repeat(40)).commit();
  });
  kv.close();
}
console.log(JSON.stringify({ opsPerSecond }));
