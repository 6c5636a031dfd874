/**
 * B_ws for the reconnect benchmark (bench/reconnect.ts): the bare `Deno.upgradeWebSocket`
 * server of bench/baseline_ws_server.ts, with the smallest equivalent of Salon's `ready` and
 * restart that the benchmark needs and B_ws lacks (B_ws sends nothing until another socket
 * talks, and broadcasts every frame: 1,000 `resume` frames would become a million deliveries):
 * - each socket gets `{"type":"ready"}` as soon as it opens; frames it receives are dropped;
 * - SIGTERM closes every socket with 1012 (as Salon's shutdown does), then exits.
 *
 *   deno run -A bench/baseline_ready_ws_server.ts <port>
 */
const port = Number(Deno.args[0] ?? 8101);
/** How long the close frames get to reach the clients before the process exits. */
const CLOSE_GRACE_MS = 1000;
const sockets = new Set<WebSocket>();

Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
  if (req.headers.get("upgrade") !== "websocket") return new Response("ok");
  const { socket, response } = Deno.upgradeWebSocket(req);
  socket.onopen = () => {
    sockets.add(socket);
    socket.send('{"type":"ready"}');
  };
  socket.onclose = () => sockets.delete(socket);
  return response;
});

Deno.addSignalListener("SIGTERM", async () => {
  const closed = [...sockets].map((socket) =>
    new Promise((resolve) => {
      socket.addEventListener("close", resolve);
      socket.close(1012, "server restarting");
    })
  );
  await Promise.race([
    Promise.all(closed),
    new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS)),
  ]);
  Deno.exit(0);
});
