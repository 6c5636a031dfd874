/**
 * A TCP relay in front of a broker, for cutting one client's connection as a network failure
 * would: the client connects to the relay, `cut()` closes every connection through it (both
 * ends, no goodbye) and turns away new ones until `heal()`; the client reconnects by itself. Only the
 * clients behind this relay are cut; the broker and its other clients are not touched.
 */
export class TcpRelay {
  #listener: Deno.TcpListener;
  #open = new Set<Deno.Conn>();
  /** While down, a connection is closed as soon as it is accepted (the network still out). */
  #down = false;
  /** Connections accepted so far (a reconnect makes one more). */
  accepted = 0;

  private constructor(listener: Deno.TcpListener, private readonly target: Deno.ConnectOptions) {
    this.#listener = listener;
    void this.#accept();
  }

  /** Relays a free local port to the broker at `url` (its host and port). */
  static start(url: string): TcpRelay {
    const { hostname, port } = new URL(url);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return new TcpRelay(listener, { hostname, port: Number(port) });
  }

  /** The broker's URL through the relay, with the scheme given. */
  url(scheme: string): string {
    return `${scheme}://127.0.0.1:${this.#listener.addr.port}`;
  }

  /** Closes every connection through the relay now, and every new one until `heal`. */
  cut(): void {
    this.#down = true;
    this.#drop();
  }

  /** Connections go through again. */
  heal(): void {
    this.#down = false;
  }

  #drop(): void {
    for (const conn of this.#open) closeQuietly(conn);
    this.#open.clear();
  }

  close(): void {
    this.#down = true;
    this.#drop();
    closeQuietly(this.#listener);
  }

  async #accept(): Promise<void> {
    for await (const client of this.#listener) {
      if (this.#down) {
        closeQuietly(client);
        continue;
      }
      this.accepted++;
      let upstream: Deno.Conn;
      try {
        upstream = await Deno.connect(this.target);
      } catch {
        closeQuietly(client);
        continue;
      }
      this.#open.add(client);
      this.#open.add(upstream);
      const end = () => {
        for (const conn of [client, upstream]) {
          this.#open.delete(conn);
          closeQuietly(conn);
        }
      };
      // Either side closing (or a cut) ends both directions.
      void client.readable.pipeTo(upstream.writable, { preventClose: true }).catch(() => {})
        .finally(end);
      void upstream.readable.pipeTo(client.writable, { preventClose: true }).catch(() => {})
        .finally(end);
    }
  }
}

function closeQuietly(closable: { close(): void }): void {
  try {
    closable.close();
  } catch {
    // Already closed.
  }
}
