/**
 * The message brokers bus tests run on: the machine's Redis (TEST_REDIS_URL) and NATS with
 * JetStream (TEST_NATS_URL), each test under a prefix of its own so parallel tests never hear
 * each other. Without the variable a test is registered as ignored (with a hint, once), which
 * fails CI like a PostgreSQL test without TEST_DATABASE_URL.
 */
import { sayOncePerRun } from "./helpers/say_once.ts";

export type Broker = "redis" | "nats";

const VARIABLE: Record<Broker, string> = { redis: "TEST_REDIS_URL", nats: "TEST_NATS_URL" };
const EXAMPLE: Record<Broker, string> = {
  redis: "redis://127.0.0.1:6379",
  nats: "nats://127.0.0.1:4222",
};

/** The broker's URL for tests, or a failure that says how to provide one. */
export function brokerUrl(broker: Broker): string {
  const url = Deno.env.get(VARIABLE[broker]);
  if (!url) throw new Error(`${VARIABLE[broker]} is not set (e.g. ${EXAMPLE[broker]})`);
  return url;
}

/** `Deno.test` options: ignored, with a hint printed once, when the broker's URL is not set. */
export function needsBroker(...brokers: Broker[]): { ignore: boolean } {
  const missing = brokers.filter((broker) => !Deno.env.get(VARIABLE[broker]));
  for (const broker of missing) {
    sayOncePerRun(
      `BROKER_HINT_${broker}`,
      `${broker} bus tests ignored: ${VARIABLE[broker]} is not set. To run them: ` +
        `${VARIABLE[broker]}=${EXAMPLE[broker]} deno test -P`,
    );
  }
  return { ignore: missing.length > 0 };
}

/** A BUS_PREFIX of the test's own. */
export function testPrefix(): string {
  return `test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}
