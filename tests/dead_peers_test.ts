/**
 * Peers that stop cooperating: a client that stops reading during a flood is dropped at the
 * buffer limit (memory stays bounded, others unaffected); a half-open connection is closed by
 * the heartbeat and its user goes offline.
 */
import assert from "node:assert/strict";
import { BACKENDS, needs } from "./helpers/backends.ts";
import { room } from "./helpers/people.ts";
import { openSilentSocket, readUntilClose } from "./helpers/raw_socket.ts";
import { WS_CLOSE_SLOW_CONSUMER, WS_MAX_BUFFERED_BYTES } from "../lib/limits.ts";
import { startTestApp } from "./helpers/test_app.ts";
import { eventually } from "./helpers/wait.ts";

for (const backend of BACKENDS) {
  Deno.test(
    `slow consumer - dropped at the buffer limit, everyone else gets everything (${backend.name})`,
    needs(backend),
    async () => {
      const app = await startTestApp(backend, { RATE_LIMITS: "off" });
      try {
        const { channelId, owner, member } = await room(app);
        const reader = await owner.connect();
        const silent = await openSilentSocket(app.url, member.http.cookie!);
        await eventually(() => app.hub.sockets.length === 2, "both sockets registered");
        const content = "x".repeat(4000);
        const total = 5000; // about 22 MB of events: far past the 4 MiB limit plus kernel buffers
        const sender = await owner.connect();
        for (let i = 0; i < total; i++) {
          sender.send({ type: "send", channelId, content, nonce: `n${i}` });
        }
        await eventually(
          () => sender.all("ack").length === total,
          "every send acknowledged",
          90_000,
        );
        await eventually(
          () => reader.all("message").length === total,
          "the reader got everything",
          30_000,
        );
        assert.deepEqual(
          app.hub.sockets.map((socket) => socket.userId).sort(),
          [owner.id, owner.id].sort(),
          "the silent socket is out of the hub",
        );
        // What the server sent the silent peer before hanging up: its buffer limit plus what the
        // kernel's socket buffers absorbed, nowhere near the 22 MB that was sent to the channel.
        const { dataBytes, code } = await readUntilClose(silent);
        assert.equal(code, WS_CLOSE_SLOW_CONSUMER);
        assert.ok(
          dataBytes < WS_MAX_BUFFERED_BYTES + 12 * 1024 * 1024,
          `${dataBytes} bytes before the close`,
        );
        silent.close();
        await Promise.all([reader.close(), sender.close()]);
      } finally {
        await app.close();
      }
    },
  );

  Deno.test(
    `half-open connection - closed by the heartbeat, its user goes offline (${backend.name})`,
    needs(backend),
    async () => {
      const app = await startTestApp(backend, { WS_IDLE_TIMEOUT: "1" });
      try {
        const { owner, member } = await room(app);
        const watcher = await owner.connect();
        const silent = await openSilentSocket(app.url, member.http.cookie!);
        await watcher.next("presence", (p) => p.userId === member.id && p.status === "online");
        const offline = await watcher.next(
          "presence",
          (p) => p.userId === member.id && p.status === "offline",
        );
        assert.equal(offline.status, "offline");
        assert.equal(app.hub.isOnline(member.id), false);
        silent.close();
        await watcher.close();
      } finally {
        await app.close();
      }
    },
  );
}
