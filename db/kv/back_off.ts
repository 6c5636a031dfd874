/**
 * A short random pause before retrying a KV write that lost a race or met a locked file:
 * jittered so that competing writers do not retry in step, growing with the attempt up to
 * `maxMs`.
 */
export function backOff(attempt: number, maxMs: number): Promise<void> {
  return new Promise((resolve) =>
    setTimeout(resolve, Math.random() * Math.min(maxMs, 2 ** attempt))
  );
}
