/**
 * `deno task vapid-keys`: prints a new VAPID key pair as the two environment lines production
 * needs (README, "Web Push in production"). Keep the pair: browsers' subscriptions are bound to
 * the public key, and a new one makes every user subscribe again.
 */
import { generateVapidPair } from "./vapid_keys.ts";

if (import.meta.main) {
  const pair = await generateVapidPair();
  console.log(`VAPID_PUBLIC_KEY=${pair.publicKey}`);
  console.log(`VAPID_PRIVATE_KEY=${pair.privateKey}`);
}
