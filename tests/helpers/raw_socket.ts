/**
 * A WebSocket peer that completes the handshake and then goes silent: it never reads (a slow
 * consumer) and never answers pings (a half-open connection).
 */
export async function openSilentSocket(base: string, cookie: string): Promise<Deno.TcpConn> {
  const url = new URL(base);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const request = [
    `GET /ws HTTP/1.1`,
    `Host: ${url.host}`,
    `Upgrade: websocket`,
    `Connection: Upgrade`,
    `Sec-WebSocket-Key: ${key}`,
    `Sec-WebSocket-Version: 13`,
    `Cookie: ${cookie}`,
    ``,
    ``,
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(request));
  // Read only the response head (the 101), then stop reading for good.
  const head = new Uint8Array(1);
  let text = "";
  while (!text.endsWith("\r\n\r\n")) {
    if ((await conn.read(head)) === null) throw new Error(`Handshake failed: ${text}`);
    text += String.fromCharCode(head[0]);
  }
  if (!text.startsWith("HTTP/1.1 101")) {
    throw new Error(`Handshake refused: ${text.split("\r\n")[0]}`);
  }
  return conn;
}
