/**
 * The members of a DM channel, through the store's `findDmChannel` (db/dm_store.ts) when the
 * store has it: kept to this one call so notifications do not depend on the rest of the DM
 * store's shape.
 */
interface DmLookup {
  findDmChannel?(channelId: string): Promise<{ recipientIds: string[] } | null>;
}

/** Every member's id of the DM channel, or null if it is not a DM (or DMs are not stored). */
export async function dmMembers(store: object, channelId: string): Promise<string[] | null> {
  const lookup = store as DmLookup;
  if (typeof lookup.findDmChannel !== "function") return null;
  const dm = await lookup.findDmChannel(channelId);
  return dm ? dm.recipientIds : null;
}
