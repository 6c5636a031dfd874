/**
 * A private Redis or NATS server for fault tests: started on a spare port, killed with SIGKILL,
 * started again on the same port (NATS with the same JetStream directory, as a restarted server
 * finds its storage).
 */
export type Kind = "redis" | "nats";

export class PrivateServer {
  #process?: Deno.ChildProcess;
  readonly dir: string;

  private constructor(readonly kind: Kind, readonly port: number, dir: string) {
    this.dir = dir;
  }

  static async start(kind: Kind): Promise<PrivateServer> {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const server = new PrivateServer(
      kind,
      port,
      await Deno.makeTempDir({ prefix: `salon-${kind}-` }),
    );
    await server.restart();
    return server;
  }

  get url(): string {
    return `${this.kind}://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) and waits until it accepts connections. */
  async restart(): Promise<void> {
    const [command, args] = this.kind === "redis"
      ? ["/usr/bin/redis-server", [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        this.dir,
      ]]
      : ["/usr/sbin/nats-server", [
        "-a",
        "127.0.0.1",
        "-p",
        String(this.port),
        "-js",
        "-sd",
        this.dir,
      ]];
    this.#process = new Deno.Command(command, { args, stdout: "null", stderr: "null" }).spawn();
    const end = Date.now() + 15_000;
    while (true) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port: this.port })).close();
        // NATS answers before JetStream is ready; a moment more is given by the clients' retries.
        return;
      } catch (error) {
        if (Date.now() > end) {
          throw new Error(`${this.kind} did not start on ${this.port}: ${error}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** SIGKILL: no goodbye to the clients, nothing flushed. */
  async kill(): Promise<void> {
    if (!this.#process) return;
    this.#process.kill("SIGKILL");
    await this.#process.status;
    this.#process = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
