import assert from "node:assert/strict";
import { KvStore } from "../db/kv/kv_store.ts";
import { storeContract } from "./store_contract.ts";
import {
  assertLegacyDefaults,
  governanceStoreContract,
  legacyData,
} from "./governance_store_contract.ts";
import { KV_BACKEND } from "./helpers/backends.ts";

storeContract(KV_BACKEND);
governanceStoreContract(KV_BACKEND);

Deno.test("kv store - records stored before governance read with the defaults", async () => {
  const opened = await KV_BACKEND.open();
  try {
    const data = legacyData();
    await opened.store.createUser(data.owner);
    await opened.store.createUser(data.guest);
    // The keys and shapes the version before governance wrote (no @everyone, no new fields).
    const { server, channel, invite } = data;
    assert.ok(opened.store instanceof KvStore);
    const written = await opened.store.kv.atomic()
      .set(["servers", server.id], server)
      .set(["server_members", server.id, server.ownerId], server.createdAt)
      .set(["user_servers", server.ownerId, server.id], server.createdAt)
      .set(["server_members", server.id, data.guest.id], data.guestJoinedAt)
      .set(["user_servers", data.guest.id, server.id], data.guestJoinedAt)
      .set(["channels", channel.id], channel)
      .set(["server_channels", server.id, channel.id], channel)
      .set(["channel_names", server.id, channel.name], channel.id)
      .set(["invites", invite.code], invite)
      .commit();
    if (!written.ok) throw new Error("could not write the old records");
    // Opened again, as the new version starts on old data.
    await assertLegacyDefaults(await opened.reopen(), data);
  } finally {
    await opened.dispose();
  }
});
