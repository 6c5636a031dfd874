/**
 * A line said once per test run, however many test modules ask for it: the hint that explains
 * why tests were ignored belongs at the top of the run, not repeated beside every test file.
 *
 * `deno test` runs each module in its own isolate, but all of them in one process, so the
 * process environment is the state they share (a module-level flag would repeat the line per
 * file). The environment has no compare-and-set, so two modules of a `--parallel` run checking
 * at the very same instant could both print: a repeated hint, never a lost one. The flag is
 * inherited by the servers a test starts, which never read it.
 */

/** Prints `line` on stderr unless a module of this run already printed it under `key`. */
export function sayOncePerRun(key: string, line: string): void {
  const flag = `SALON_TEST_SAID_${key}`;
  if (Deno.env.get(flag)) return;
  Deno.env.set(flag, "1");
  console.warn(line);
}
