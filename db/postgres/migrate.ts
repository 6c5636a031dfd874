/**
 * Applies the versioned SQL files of db/migrations/ in order, once each.
 *
 * Files are named `NNN_description.sql`; the applied versions are kept in `schema_migrations`.
 * An advisory lock serialises instances that start at the same moment.
 */
import type { Sql } from "postgres";
import { transaction } from "./transaction.ts";

const MIGRATIONS_DIR = new URL("../migrations/", import.meta.url);
/** Arbitrary, fixed: identifies Salon's migration lock among other advisory locks. */
const MIGRATION_LOCK_ID = 7_245_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads the migration files, sorted by version. */
export async function readMigrations(): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for await (const entry of Deno.readDir(MIGRATIONS_DIR)) {
    const match = /^(\d+)_.+\.sql$/.exec(entry.name);
    if (!entry.isFile || !match) continue;
    const sql = await Deno.readTextFile(new URL(entry.name, MIGRATIONS_DIR));
    migrations.push({ version: Number(match[1]), name: entry.name, sql });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

export interface MigrateOptions {
  /** Apply none after this version (tests write data in the shape an older version had). */
  through?: number;
}

/** Applies every migration not yet recorded; returns the names applied. */
export async function migrate(sql: Sql, options: MigrateOptions = {}): Promise<string[]> {
  const { through = Infinity } = options;
  const migrations = (await readMigrations()).filter((m) => m.version <= through);
  return await transaction(sql, async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
    const rows = await tx<{ version: number }[]>`SELECT version FROM schema_migrations`;
    const applied = new Set(rows.map((row) => row.version));
    const names: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO schema_migrations (version, name)
        VALUES (${migration.version}, ${migration.name})`;
      names.push(migration.name);
    }
    return names;
  });
}
