/** Body size limits: a body over `maxBytes` gets 413 before it is read any further. */
import { bodyLimit } from "hono/body-limit";
import { PayloadTooLarge } from "../../lib/errors.ts";

export function limitBody(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLarge(maxBytes);
    },
  });
}
