/**
 * The composer's tray of files (pure state): at most 10 per message, progress, done, failed,
 * removed; what Send may do with it; and the words of an upload's failure.
 */
import assert from "node:assert/strict";
import {
  addFiles,
  failed,
  FILES_PER_MESSAGE_MAX,
  itemStatus,
  progressed,
  removed,
  trayState,
  uploaded,
  uploadError,
} from "../islands/attachments/tray.ts";
import type { WireAttachment } from "../lib/realtime/protocol.ts";

const file = (key: string, size = 2048) => ({ key, name: `${key}.txt`, size });
const attachment = (id: string): WireAttachment => ({
  id,
  filename: `${id}.txt`,
  contentType: "text/plain",
  size: 2048,
  width: null,
  height: null,
  placeholder: null,
  url: `/files/${id}/${id}.txt`,
  thumbnailUrl: null,
});

Deno.test("tray - files are added uploading, up to 10 per message", () => {
  const first = addFiles([], [file("a"), file("b")]);
  assert.deepEqual(first.added, ["a", "b"]);
  assert.equal(first.refused, 0);
  assert.deepEqual(first.items.map((item) => [item.status, item.percent]), [
    ["uploading", 0],
    ["uploading", 0],
  ]);
  const many = Array.from({ length: 12 }, (_, i) => file(`f${i}`));
  const next = addFiles(first.items, many);
  assert.equal(next.items.length, FILES_PER_MESSAGE_MAX);
  assert.equal(next.added.length, 8);
  assert.equal(next.refused, 4);
  assert.equal(addFiles(next.items, [file("z")]).refused, 1, "a full tray takes none");
});

Deno.test("tray - progress, done, failed, removed; Send waits while one uploads", () => {
  let items = addFiles([], [file("a"), file("b"), file("c")]).items;
  assert.deepEqual(trayState(items), { uploading: true, ids: [] });
  items = progressed(items, "a", 512, 2048);
  assert.equal(items[0].percent, 25);
  assert.equal(itemStatus(items[0]), "2 KiB · uploading 25%");
  const same = progressed(items, "a", 513, 2048);
  assert.equal(same, items, "no change, no new state (no re-render)");
  items = uploaded(items, "a", attachment("att-a"));
  assert.equal(progressed(items, "a", 1, 2048), items, "late progress leaves a done file");
  items = failed(items, "b", "b.txt: not allowed");
  assert.equal(itemStatus(items[1]), "b.txt: not allowed");
  assert.deepEqual(trayState(items), { uploading: true, ids: ["att-a"] }, "c still uploads");
  items = removed(items, "c");
  assert.deepEqual(trayState(items), { uploading: false, ids: ["att-a"] });
  assert.equal(itemStatus(items[0]), "2 KiB · ready");
  items = uploaded(removed(items, "b"), "gone", attachment("x"));
  assert.deepEqual(items.map((item) => item.key), ["a"], "an answer for a removed file is dropped");
});

Deno.test("uploadError - 413 names the file and the server's cap, in words", () => {
  const tooBig = (message: string) => ({ status: 413, code: "payload_too_large", message });
  assert.equal(
    uploadError("big.bin", tooBig("The request body must be at most 26214400 bytes.")),
    "big.bin is larger than 25 MiB.",
  );
  assert.equal(
    uploadError("big.bin", tooBig("The request body must be at most 4096 bytes.")),
    "big.bin is larger than 4 KiB.",
  );
  assert.equal(
    uploadError("big.bin", tooBig("Too large.")),
    "big.bin is larger than the largest file allowed.",
  );
  // Over the uploader's quota: the server's own words.
  assert.equal(
    uploadError("a.txt", { status: 413, code: "quota_exceeded", message: "Your uploads may…" }),
    "a.txt: Your uploads may…",
  );
  assert.equal(
    uploadError("a.txt", { status: 403, code: "forbidden", message: "You may not attach files." }),
    "a.txt: You may not attach files.",
  );
});
