/**
 * The raw engine of bench/bus_fanout.ts: a bare WebSocket relay over Redis pub/sub or core
 * NATS, standing for one instance. Each text a client sends is published on one channel (one
 * subject); each text the engine hands back is sent to every client of this relay. Three of
 * them side by side are three instances with nothing of Salon in between: no store, no
 * permissions, no envelope, no frames of the bus; only the engine and the sockets.
 *
 *   deno run -A bench/bus_relay_server.ts <port> redis|nats <url> <channel>
 */
import { Redis } from "ioredis";
import { connect } from "@nats-io/transport-node";

const [portText, engine, url, channel] = Deno.args;
const sockets = new Set<WebSocket>();
const fanOut = (text: string) => {
  for (const socket of sockets) socket.send(text);
};

let publish: (text: string) => void;
if (engine === "redis") {
  const publisher = new Redis(url);
  const subscriber = new Redis(url);
  subscriber.on("message", (_channel: string, text: string) => fanOut(text));
  await subscriber.subscribe(channel);
  publish = (text) => void publisher.publish(channel, text);
} else if (engine === "nats") {
  const nats = await connect({ servers: url });
  nats.subscribe(channel, { callback: (_error, message) => fanOut(message.string()) });
  await nats.flush();
  publish = (text) => nats.publish(channel, text);
} else {
  throw new Error(`unknown engine ${engine}: redis or nats`);
}

Deno.serve({ port: Number(portText), hostname: "127.0.0.1", onListen: () => {} }, (request) => {
  if (request.headers.get("upgrade") !== "websocket") return new Response("relay");
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onopen = () => sockets.add(socket);
  socket.onclose = () => sockets.delete(socket);
  socket.onmessage = (event) => publish(String(event.data));
  return response;
});
