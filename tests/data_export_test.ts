/**
 * The export archive (lib/accounts/data_export.ts over lib/accounts/zip_stream.ts), unzipped
 * with fflate.
 */
import assert from "node:assert/strict";
import { unzipSync } from "fflate";
import { DATA_EXPORT_FILES, dataExportChunks } from "../lib/accounts/data_export.ts";

const EXPORTED_AT = new Date("2026-03-04T05:06:08Z");

/** Every chunk of the archive, joined. */
async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  const joined = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** The archive's files as text, by name. */
async function unzipText(chunks: AsyncIterable<Uint8Array>): Promise<Record<string, string>> {
  const files = unzipSync(await collect(chunks));
  const decoder = new TextDecoder();
  return Object.fromEntries(
    Object.entries(files).map(([name, bytes]) => [name, decoder.decode(bytes)]),
  );
}

async function* rowsOf<T>(rows: T[]): AsyncGenerator<T> {
  for (const row of rows) {
    await Promise.resolve();
    yield row;
  }
}

Deno.test("dataExportChunks - a ZIP of profile.json, memberships.json and messages.jsonl", async () => {
  const profile = { user: { id: "u1", username: "ada" }, exportedAt: EXPORTED_AT.toISOString() };
  const memberships = [{ server: { id: "s1" }, joinedAt: "2026-01-01T00:00:00.000Z" }, {
    server: { id: "s2" },
    joinedAt: null,
  }];
  const messages = [
    { id: "m1", content: "first line\nsecond line" },
    { id: "m2", content: 'émoji 🎉 and "quotes"' },
  ];
  const files = await unzipText(
    dataExportChunks(
      { profile, memberships: rowsOf(memberships), messages: rowsOf(messages) },
      EXPORTED_AT,
    ),
  );

  assert.deepEqual(Object.keys(files).sort(), Object.values(DATA_EXPORT_FILES).sort());
  assert.deepEqual(JSON.parse(files["profile.json"]), profile);
  assert.deepEqual(JSON.parse(files["memberships.json"]), memberships);
  const lines = files["messages.jsonl"].split("\n");
  assert.deepEqual(lines.pop(), "", "the last line ends with a newline");
  assert.deepEqual(lines.map((line) => JSON.parse(line)), messages);
});

Deno.test("dataExportChunks - no memberships and no messages give [] and an empty file", async () => {
  const files = await unzipText(
    dataExportChunks(
      { profile: { user: null }, memberships: [], messages: rowsOf([]) },
      EXPORTED_AT,
    ),
  );
  assert.deepEqual(JSON.parse(files["memberships.json"]), []);
  assert.deepEqual(files["messages.jsonl"], "");
});

Deno.test("dataExportChunks - many rows, past several deflate blocks, come back whole", async () => {
  const messages = Array.from({ length: 20_000 }, (_, i) => ({
    id: `m${i}`,
    seq: i + 1,
    content: `message ${i} — ${"x".repeat(i % 97)}\n${"ü".repeat(i % 13)}`,
  }));
  const files = await unzipText(
    dataExportChunks({ profile: {}, memberships: [], messages: rowsOf(messages) }, EXPORTED_AT),
  );
  const lines = files["messages.jsonl"].trimEnd().split("\n");
  assert.deepEqual(lines.length, messages.length);
  assert.deepEqual(lines.map((line) => JSON.parse(line)), messages);
});

Deno.test("dataExportChunks - reads the rows only as far as the archive is read", async () => {
  const total = 200_000;
  let pulled = 0;
  let sourceClosed = false;
  async function* messages() {
    try {
      for (let i = 0; i < total; i++) {
        pulled++;
        await Promise.resolve();
        yield { id: `m${i}`, content: `row ${i} ${crypto.randomUUID()}` };
      }
    } finally {
      sourceClosed = true;
    }
  }
  const chunks = dataExportChunks(
    { profile: {}, memberships: [], messages: messages() },
    EXPORTED_AT,
  );
  // Read until the messages entry has begun, then stop like a dropped download.
  while (pulled < 1_000) {
    assert.deepEqual(
      (await chunks.next()).done,
      false,
      "the archive ended before the reader stopped",
    );
  }
  await chunks.return(undefined);

  assert.ok(pulled < total, `read ${pulled} of ${total} rows before the reader stopped`);
  assert.ok(sourceClosed, "the row source is closed when the reader stops");
});

Deno.test("dataExportChunks - a failing row source fails the archive", async () => {
  async function* messages() {
    yield { id: "m1" };
    throw new Error("store went away");
  }
  await assert.rejects(
    () =>
      collect(
        dataExportChunks({ profile: {}, memberships: [], messages: messages() }, EXPORTED_AT),
      ),
    /store went away/,
  );
});
