/**
 * A postgres.js pool on a database with Salon's migrations applied: what the chat store and the
 * blob store each open (each with a pool of its own size), optionally in a schema of their own.
 */
import postgres from "postgres";
import type { Sql } from "postgres";
import { guardedPool } from "./held_transaction.ts";
import { migrate } from "./migrate.ts";
import { isUniqueViolation } from "./rows.ts";

export interface ConnectOptions {
  /** A schema to create and use instead of `public` (tests give each run its own). */
  schema?: string;
  /** Connection pool size. */
  max: number;
}

/** Creates the schema if one is named, connects and applies pending migrations. */
export async function connectMigrated(url: string, options: ConnectOptions): Promise<Sql> {
  const { schema } = options;
  if (schema !== undefined) await createSchema(url, schema);
  const sql = postgres(url, {
    max: options.max,
    onnotice: () => {},
    connection: schema === undefined ? {} : { search_path: schema },
  });
  await migrate(sql);
  return guardedPool(sql);
}

async function createSchema(url: string, schema: string): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin`CREATE SCHEMA IF NOT EXISTS ${admin(schema)}`;
  } catch (error) {
    // Two openers creating it at once: IF NOT EXISTS is not race-free in PostgreSQL.
    if (!isUniqueViolation(error)) throw error;
  } finally {
    await admin.end();
  }
}
