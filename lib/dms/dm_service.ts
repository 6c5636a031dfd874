/**
 * Direct messages (API.md "Direct messages"): opening the one DM of a pair or a new group DM,
 * the caller's list, group recipients, and closing. Messages, history, read markers, typing,
 * reactions, pins and attachments go through the channel routes as on any channel: a DM's
 * permission snapshot (dm_access.ts) gives its members what they need there.
 */
import { v7 as uuidv7 } from "uuid";
import type { ChannelRecord, DmChannelRecord, UserRecord } from "../../db/store.ts";
import { DmFullError } from "../../db/dm_store.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import type { ChannelPlaces } from "../chat/channel_places.ts";
import { plausibleId } from "../chat/membership.ts";
import { Forbidden, Invalid, NotFound } from "../errors.ts";
import { DM_RECIPIENTS_MAX, GROUP_DM_MEMBERS_MAX } from "../limits.ts";
import { cleanGroupDmName } from "../text.ts";
import type { WireDmChannel } from "../realtime/protocol.ts";
import { publishDm, publishDmRemoved } from "./dm_events.ts";
import { isDmChannel } from "./dm_kind.ts";
import { checkMayDm } from "./dm_rules.ts";
import { toWireDm, toWireDms, usersOfDms } from "./dm_shapes.ts";

export interface OpenResult {
  channel: WireDmChannel;
  /** False when the pair's DM existed (200), true for a new one (201). */
  created: boolean;
}

const noSuchChannel = () => new NotFound("not_found", "No such channel.");
const noSuchUser = () => new NotFound("not_found", "No such user.");

/** `userIds` of `POST /api/dms`: 1 to DM_RECIPIENTS_MAX distinct ids, not the caller's. */
export function recipientIds(raw: unknown, callerId: string): string[] {
  const rule = `userIds must be a list of 1 to ${DM_RECIPIENTS_MAX} user ids other than yours`;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > DM_RECIPIENTS_MAX) {
    const got = Array.isArray(raw) ? `${raw.length} ids` : typeof raw;
    throw new Invalid("invalid_recipients", `${rule}: got ${got}.`, "userIds");
  }
  for (const id of raw) {
    if (typeof id !== "string" || id.length === 0 || id === callerId) {
      throw new Invalid("invalid_recipients", `${rule}: got ${JSON.stringify(id)}.`, "userIds");
    }
  }
  const ids = [...new Set(raw as string[])];
  if (ids.length !== raw.length) {
    throw new Invalid("invalid_recipients", `${rule}, each once.`, "userIds");
  }
  return ids;
}

export class DmService {
  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  /** `POST /api/dms`: the pair's one DM (existing or new), or a new group DM. */
  async open(user: UserRecord, input: { userIds?: unknown }): Promise<OpenResult> {
    const ids = recipientIds(input.userIds, user.id);
    const { store } = this.deps;
    const targets = ids.every(plausibleId) ? await store.findUsersByIds(ids) : [];
    if (targets.length !== ids.length) throw noSuchUser();
    await Promise.all(targets.map((target) => checkMayDm(store, user, target)));
    if (ids.length === 1) {
      const { dm, created } = await store.openDm(this.#newChannel("dm"), user.id, ids[0]);
      // A new DM is announced to both; an existing one (perhaps closed) opens again for the caller.
      await publishDm(this.deps, "dm_created", dm, created ? dm.recipientIds : [user.id]);
      return { channel: await this.#wireFor(dm, user.id), created };
    }
    const dm = await store.createGroupDm(this.#newChannel("group_dm"), [user.id, ...ids]);
    await publishDm(this.deps, "dm_created", dm, dm.recipientIds);
    return { channel: await this.#wireFor(dm, user.id), created: true };
  }

  #newChannel(kind: "dm" | "group_dm"): ChannelRecord {
    const id = uuidv7();
    return {
      id,
      serverId: id,
      name: "",
      createdAt: new Date(this.deps.now()),
      kind,
      parentId: null,
      topic: "",
      position: 0,
    };
  }

  async #wireFor(dm: DmChannelRecord, readerId: string): Promise<WireDmChannel> {
    const { store } = this.deps;
    const [users, lastSeq, markers] = await Promise.all([
      usersOfDms(store, [dm]),
      store.lastSeq(dm.channel.id),
      store.readMarkers(readerId),
    ]);
    const readSeq = markers.get(dm.channel.id) ?? 0;
    return toWireDm({ dm, lastSeq, readSeq }, readerId, users);
  }

  /** `GET /api/dms` (and `ready.dms`): the open DMs, newest activity first. */
  async list(user: UserRecord): Promise<WireDmChannel[]> {
    const states = await this.deps.store.listDmsOf(user.id);
    return await toWireDms(this.deps.store, states, user.id);
  }

  /** Ids of every DM of the user, closed ones included: a socket's subscriptions. */
  idsOf(user: UserRecord): Promise<string[]> {
    return this.deps.store.listDmIdsOf(user.id);
  }

  /** True if the channel is a DM (of anyone's). */
  async isDm(channelId: string): Promise<boolean> {
    if (!plausibleId(channelId)) return false;
    const channel = await this.deps.store.findChannel(channelId);
    return channel !== null && isDmChannel(channel);
  }

  /** The DM if `user` is in it; NotFound otherwise (as for an unknown channel). */
  async memberDm(user: UserRecord, channelId: string): Promise<DmChannelRecord> {
    const dm = plausibleId(channelId) ? await this.deps.store.findDmChannel(channelId) : null;
    if (!dm || !dm.recipientIds.includes(user.id)) throw noSuchChannel();
    return dm;
  }

  /** `PUT /api/dms/:channelId/recipients/:userId`: any member adds someone they may DM. */
  async addRecipient(user: UserRecord, channelId: string, userId: string): Promise<void> {
    const dm = await this.#group(user, channelId);
    if (dm.recipientIds.includes(userId)) return;
    const { store } = this.deps;
    const target = plausibleId(userId) ? await store.findUserById(userId) : null;
    if (!target) throw noSuchUser();
    await checkMayDm(store, user, target);
    let added;
    try {
      added = await store.addDmRecipient(channelId, userId, GROUP_DM_MEMBERS_MAX);
    } catch (error) {
      if (!(error instanceof DmFullError)) throw error;
      throw new Invalid(
        "dm_full",
        `A group DM holds at most ${GROUP_DM_MEMBERS_MAX} people.`,
        "userId",
      );
    }
    if (!added) return;
    await this.#announce(channelId, userId, "dm_created");
  }

  /** `DELETE /api/dms/:channelId/recipients/:userId`: a member leaves (only themselves). */
  async removeRecipient(user: UserRecord, channelId: string, userId: string): Promise<void> {
    await this.#group(user, channelId);
    if (userId !== user.id) {
      throw new Forbidden("not_allowed", "You may only remove yourself from a group DM.");
    }
    if (!(await this.deps.store.removeDmRecipient(channelId, userId))) return;
    // The one who left stops seeing it at once (their sockets leave it: hub.ts).
    publishDmRemoved(this.deps, channelId, userId);
    await this.#announce(channelId, null, null);
    await this.deps.access.reload(channelId);
  }

  /**
   * After a recipient change: `dm_updated` to every member (`joined`, if any, gets `joinType`
   * instead), from the stored DM.
   */
  async #announce(
    channelId: string,
    joined: string | null,
    joinType: "dm_created" | null,
  ): Promise<void> {
    const dm = await this.deps.store.findDmChannel(channelId);
    if (!dm) return;
    const others = dm.recipientIds.filter((id) => id !== joined);
    await publishDm(this.deps, "dm_updated", dm, others);
    if (joined !== null && joinType) await publishDm(this.deps, joinType, dm, [joined]);
  }

  async #group(user: UserRecord, channelId: string): Promise<DmChannelRecord> {
    const dm = await this.memberDm(user, channelId);
    if (dm.channel.kind !== "group_dm") {
      throw new Invalid("not_group_dm", "Recipients can only change in a group DM.");
    }
    return dm;
  }

  /**
   * `PATCH /api/channels/:id {name}` on a DM: names a group DM (null or "" clears it), and every
   * member hears `dm_updated`. Null if it is no DM (the route then goes on to server channels).
   */
  async renameIfDm(
    user: UserRecord,
    channelId: string,
    input: { name?: unknown },
  ): Promise<WireDmChannel | null> {
    const dm = plausibleId(channelId) ? await this.deps.store.findDmChannel(channelId) : null;
    if (!dm) return null;
    if (!dm.recipientIds.includes(user.id)) throw noSuchChannel();
    if (dm.channel.kind !== "group_dm") {
      throw new Invalid("not_group_dm", "Only a group DM has a name.", "name");
    }
    // Checked as other names are (no control or direction characters: a NUL was a 500 on
    // PostgreSQL), counted in characters.
    const name = cleanGroupDmName(input.name === null ? "" : input.name);
    await this.deps.store.setDmName(channelId, name);
    const renamed = { ...dm, channel: { ...dm.channel, name } };
    await publishDm(this.deps, "dm_updated", renamed, renamed.recipientIds);
    return await this.#wireFor(renamed, user.id);
  }

  /**
   * `DELETE /api/channels/:id` on a DM (Discord's close): hidden from the caller's list, not
   * deleted; `POST /api/dms` or a new message in it shows it again. False if it is no DM (the
   * route then goes on to server channels).
   */
  async closeIfDm(user: UserRecord, channelId: string): Promise<boolean> {
    const dm = plausibleId(channelId) ? await this.deps.store.findDmChannel(channelId) : null;
    if (!dm) return false;
    if (!dm.recipientIds.includes(user.id)) throw noSuchChannel();
    await this.deps.store.setDmClosed(channelId, user.id, true);
    publishDmRemoved(this.deps, channelId, user.id);
    return true;
  }
}
