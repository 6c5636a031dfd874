/**
 * The worker thread behind `PasswordWorkerPool`: runs one bcrypt hash or comparison per request,
 * off the app's event loop.
 */
import { runPasswordJob } from "./password_worker_pool.ts";
import type { PasswordRequest, PasswordResponse } from "./password_worker_pool.ts";

const port = self as unknown as {
  onmessage: ((event: MessageEvent<PasswordRequest>) => void) | null;
  postMessage(response: PasswordResponse): void;
};

port.onmessage = async ({ data: request }) => {
  try {
    port.postMessage({ id: request.id, result: await runPasswordJob(request) });
  } catch (error) {
    port.postMessage({ id: request.id, error: String(error) });
  }
};
