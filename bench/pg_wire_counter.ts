/**
 * A loopback TCP proxy in front of PostgreSQL that counts round trips. It forwards bytes both
 * ways unchanged and reads the frontend (client → server) message stream: after the untyped
 * startup packet (and an SSL or GSS request before it), each message is a type byte and an
 * int32 length. A round trip ends at `S` (Sync, closing an extended-protocol exchange) or is a
 * `Q` (simple query). Each one is labelled with the SQL it ran: `P` (Parse) names a statement's
 * text, `B` (Bind) says which statement runs.
 *
 *   const counter = await startPgWireCounter("postgres://postgres@127.0.0.1:5432/db");
 *   // point the app's DATABASE_URL at counter.url, then counter.snapshot() before and after
 */

/** One client connection as the proxy saw it. */
export interface WireConnection {
  id: number;
  /** Round trips (Syncs plus simple queries) so far. */
  roundTrips: number;
  /** Round trips per SQL label (a statement's first 60 characters, whitespace folded). */
  bySql: Map<string, number>;
  /** It ran LISTEN: the bus's own connection. */
  listens: boolean;
}

export interface PgWireCounter {
  /** DATABASE_URL through the proxy. */
  url: string;
  connections: WireConnection[];
  /** Round trips per SQL label over every connection but the bus's, so far. */
  snapshot(): Map<string, number>;
  /** Round trips on the bus's LISTEN connection(s) so far. */
  busRoundTrips(): number;
  close(): void;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const SQL_LABEL_LENGTH = 60;

function sqlLabel(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, SQL_LABEL_LENGTH);
}

/** A C string at `offset` and the offset after its NUL. */
function cString(bytes: Uint8Array, offset: number): [string, number] {
  const end = bytes.indexOf(0, offset);
  return [new TextDecoder().decode(bytes.subarray(offset, end)), end + 1];
}

/** Reads one connection's frontend messages as bytes arrive, counting into `connection`. */
class FrontendParser {
  #buffer = new Uint8Array(0);
  /** Untyped packets still to come: the startup packet, preceded by any SSL/GSS request. */
  #untyped = true;
  #statements = new Map<string, string>();
  /** Labels of the statements bound since the last Sync. */
  #pending: string[] = [];

  constructor(private readonly connection: WireConnection) {}

  push(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    let offset = 0;
    while (true) {
      const view = new DataView(joined.buffer, joined.byteOffset + offset);
      const header = this.#untyped ? 4 : 5;
      if (joined.length - offset < header) break;
      const length = this.#untyped ? view.getInt32(0) : view.getInt32(1) + 1;
      if (joined.length - offset < length) break;
      const message = joined.subarray(offset, offset + length);
      if (this.#untyped) {
        const code = view.getInt32(4);
        this.#untyped = code === SSL_REQUEST || code === GSS_REQUEST;
      } else {
        this.#read(message);
      }
      offset += length;
    }
    this.#buffer = joined.slice(offset);
  }

  #read(message: Uint8Array): void {
    const type = String.fromCharCode(message[0]);
    const body = 5;
    if (type === "P") {
      const [name, next] = cString(message, body);
      const [text] = cString(message, next);
      this.#noteListen(text);
      this.#statements.set(name, sqlLabel(text));
      this.#pending.push(sqlLabel(text));
    } else if (type === "B") {
      const [, next] = cString(message, body);
      const [statement] = cString(message, next);
      this.#pending.push(this.#statements.get(statement) ?? `(statement ${statement})`);
    } else if (type === "S") {
      // Parse then Bind of one statement in one exchange: one label, not two.
      const labels = [...new Set(this.#pending)];
      this.#pending = [];
      this.#count(labels.join(" + ") || "(sync)");
    } else if (type === "Q") {
      const [text] = cString(message, body);
      this.#noteListen(text);
      this.#count(sqlLabel(text));
    }
  }

  /** A LISTEN, by simple query or extended protocol, marks the bus's connection. */
  #noteListen(text: string): void {
    if (/^\s*LISTEN\b/i.test(text)) this.connection.listens = true;
  }

  #count(label: string): void {
    this.connection.roundTrips++;
    this.connection.bySql.set(label, (this.connection.bySql.get(label) ?? 0) + 1);
  }
}

async function forward(
  client: Deno.Conn,
  server: Deno.Conn,
  connection: WireConnection,
): Promise<void> {
  const parser = new FrontendParser(connection);
  const upstream = client.readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        parser.push(chunk);
        controller.enqueue(chunk);
      },
    }),
  ).pipeTo(server.writable);
  const downstream = server.readable.pipeTo(client.writable);
  await Promise.allSettled([upstream, downstream]);
  for (const conn of [client, server]) {
    try {
      conn.close();
    } catch {
      // Already closed by the pipe that ended first.
    }
  }
}

/** Starts the proxy on a free loopback port, forwarding to `databaseUrl`'s host and port. */
export function startPgWireCounter(databaseUrl: string): PgWireCounter {
  const target = new URL(databaseUrl);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections: WireConnection[] = [];
  (async () => {
    for await (const client of listener) {
      const connection: WireConnection = {
        id: connections.length,
        roundTrips: 0,
        bySql: new Map(),
        listens: false,
      };
      connections.push(connection);
      Deno.connect({ hostname: target.hostname, port: Number(target.port || 5432) }).then(
        (server) => forward(client, server, connection),
        () => client.close(),
      );
    }
  })().catch(() => {
    // The listener was closed.
  });
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String((listener.addr as Deno.NetAddr).port);
  return {
    url: url.href,
    connections,
    snapshot() {
      const total = new Map<string, number>();
      for (const connection of connections) {
        if (connection.listens) continue;
        for (const [label, count] of connection.bySql) {
          total.set(label, (total.get(label) ?? 0) + count);
        }
      }
      return total;
    },
    busRoundTrips: () =>
      connections.filter((c) => c.listens).reduce((sum, c) => sum + c.roundTrips, 0),
    close: () => listener.close(),
  };
}
