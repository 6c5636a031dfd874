/**
 * The S3 server bench/attachments.ts measures against: s3rver on a spare loopback port, in its
 * own process (so its memory is neither Salon's nor the bench's). `deno run -A
 * bench/attachments_s3rver.ts <directory>` prints the port, then serves until killed.
 */
import S3rver from "s3rver";

const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: Deno.args[0] });
const { port } = await server.run() as { port: number };
console.log(port);
