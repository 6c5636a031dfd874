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

/**
 * Reads server frames from a silent socket until the close frame: how many bytes of data came
 * before it, and its close code (null if the connection ended without one).
 */
export async function readUntilClose(
  conn: Deno.TcpConn,
): Promise<{ dataBytes: number; code: number | null }> {
  let buffer = new Uint8Array(0);
  let dataBytes = 0;
  const chunk = new Uint8Array(64 * 1024);
  const need = async (n: number) => {
    while (buffer.length < n) {
      const read = await conn.read(chunk);
      if (read === null) return false;
      const next = new Uint8Array(buffer.length + read);
      next.set(buffer);
      next.set(chunk.subarray(0, read), buffer.length);
      buffer = next;
    }
    return true;
  };
  while (true) {
    if (!(await need(2))) return { dataBytes, code: null };
    const opcode = buffer[0] & 0x0f;
    let length = buffer[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (!(await need(4))) return { dataBytes, code: null };
      length = (buffer[2] << 8) | buffer[3];
      offset = 4;
    } else if (length === 127) {
      if (!(await need(10))) return { dataBytes, code: null };
      length = Number(new DataView(buffer.buffer, buffer.byteOffset + 2, 8).getBigUint64(0));
      offset = 10;
    }
    if (!(await need(offset + length))) return { dataBytes, code: null };
    if (opcode === 0x8) {
      const code = length >= 2 ? (buffer[offset] << 8) | buffer[offset + 1] : null;
      return { dataBytes, code };
    }
    dataBytes += length;
    buffer = buffer.slice(offset + length);
  }
}
