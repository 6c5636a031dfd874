/**
 * Fault tests break shared machinery on purpose (tests/faults/ restarts the machine's PostgreSQL
 * cluster), so a plain `deno test -P` must not run them: they run when SALON_FAULT_TESTS=1, which
 * `deno task test:faults` (and so `deno task test`) sets.
 */
import { type Backend, needs } from "./backends.ts";
import { sayOncePerRun } from "./say_once.ts";

const FAULT_HINT = "Fault tests ignored: they restart the local PostgreSQL cluster. " +
  "To run them: `deno task test:faults` (or SALON_FAULT_TESTS=1 deno test -P tests/faults/)";

/** `Deno.test` options for a fault test on `backends`: ignored unless fault tests are asked for. */
export function faultTest(...backends: Backend[]): { ignore: boolean } {
  if (Deno.env.get("SALON_FAULT_TESTS") !== "1") {
    sayOncePerRun("FAULT_HINT", FAULT_HINT);
    return { ignore: true };
  }
  return needs(...backends);
}
