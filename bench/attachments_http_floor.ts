/**
 * The HTTP floor bench/attachments.ts reports beside its baselines: a bare Deno.serve in its
 * own process that drains an upload (`POST`, answers the byte count) and streams back a file
 * of `<bytes>` (`GET`, 64 KiB pieces, as Salon serves a blob). What moving the bytes over
 * loopback HTTP alone costs, with the same fetch client: no server can beat it.
 * `deno run -A bench/attachments_http_floor.ts <bytes>` prints the port, then serves.
 */
const PIECE = 64 * 1024;
const bytes = Number(Deno.args[0]);
const file = new Uint8Array(bytes);
for (let at = 0; at < bytes; at += PIECE) crypto.getRandomValues(file.subarray(at, at + PIECE));

Deno.serve({
  port: 0,
  hostname: "127.0.0.1",
  onListen: ({ port }) => console.log(port),
}, async (request) => {
  if (request.method === "POST") {
    let received = 0;
    for await (const piece of request.body ?? []) received += piece.byteLength;
    return new Response(String(received));
  }
  let sent = 0;
  return new Response(
    new ReadableStream({
      pull(controller) {
        if (sent >= bytes) return controller.close();
        controller.enqueue(file.slice(sent, sent + PIECE));
        sent += PIECE;
      },
    }),
  );
});
