/**
 * The worker thread behind `PasswordWorkerPool`: runs one bcrypt hash or comparison per request,
 * off the app's event loop.
 */
import { hashPassword, verifyPassword } from "./passwords.ts";
import type { PasswordRequest, PasswordResponse } from "./password_worker_pool.ts";

const port = self as unknown as {
  onmessage: ((event: MessageEvent<PasswordRequest>) => void) | null;
  postMessage(response: PasswordResponse): void;
};

port.onmessage = async ({ data: request }) => {
  try {
    const result = request.op === "hash"
      ? await hashPassword(request.password, request.cost)
      : await verifyPassword(request.password, request.hash);
    port.postMessage({ id: request.id, result });
  } catch (error) {
    port.postMessage({ id: request.id, error: String(error) });
  }
};
