/**
 * B_ws: the raw baseline for fan-out. A bare `Deno.upgradeWebSocket` server with no auth and no
 * storage: every text frame is broadcast to every other socket. Salon is measured against it.
 *
 *   deno run -A bench/baseline_ws_server.ts <port>
 */
const port = Number(Deno.args[0] ?? 8100);
// As main.ts: with --v8-flags=--expose-gc and SALON_MEMORY_REPORT, SIGUSR2 collects garbage and
// writes Deno.memoryUsage() to that file (for memory figures).
const collect = (globalThis as { gc?: () => void }).gc;
const reportTo = Deno.env.get("SALON_MEMORY_REPORT");
if (collect && reportTo) {
  Deno.addSignalListener("SIGUSR2", () => {
    collect();
    Deno.writeTextFileSync(reportTo, JSON.stringify(Deno.memoryUsage()));
  });
}
const sockets = new Set<WebSocket>();

Deno.serve({
  port,
  hostname: "127.0.0.1",
  onListen: () => console.log(`baseline listening on ${port}`),
}, (req) => {
  if (req.headers.get("upgrade") !== "websocket") return new Response("ok");
  const { socket, response } = Deno.upgradeWebSocket(req);
  socket.onopen = () => sockets.add(socket);
  socket.onclose = () => sockets.delete(socket);
  socket.onmessage = (event) => {
    for (const other of sockets) {
      if (other !== socket && other.readyState === WebSocket.OPEN) other.send(event.data);
    }
  };
  return response;
});
