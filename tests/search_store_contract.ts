/**
 * The search store contract (db/search_store.ts), run on every backend by search_store_test.ts:
 * words in any case and without accents, URLs, a CJK sentence, phrases, `-word`, every filter,
 * the channel scope, paging, and edits and deletions (of a message, a channel) showing at once.
 */
import assert from "node:assert/strict";
import { v7 as uuidv7 } from "uuid";
import type {
  AttachmentRecord,
  ChannelRecord,
  MessageMentions,
  MessageRecord,
  SearchCriteria,
  ServerRecord,
  Store,
  UserRecord,
} from "../db/store.ts";
import { toMessageAttachment } from "../db/attachment_store.ts";
import { INLINE_IMAGE_TYPES } from "../db/search_store.ts";
import { IMAGE_TYPES } from "../lib/images.ts";
import { parseQuery } from "../lib/search/query.ts";
import { type Backend, storeTest } from "./helpers/backends.ts";
import { channelRecord } from "./helpers/records.ts";

const DAY = 24 * 60 * 60 * 1000;
/** Message times: strictly increasing, one minute apart, from a fixed day. */
let clock = Date.parse("2025-03-10T08:00:00Z");

async function newUser(store: Store, name: string): Promise<UserRecord> {
  const user: UserRecord = {
    id: crypto.randomUUID(),
    username: `${name}${crypto.randomUUID().slice(0, 6)}`,
    displayName: name,
    bio: "",
    passwordHash: "$2a$04$hash",
    avatarVersion: null,
    createdAt: new Date(),
  };
  await store.createUser(user);
  return user;
}

interface World {
  store: Store;
  alice: UserRecord;
  bob: UserRecord;
  server: ServerRecord;
  general: ChannelRecord;
  random: ChannelRecord;
}

async function world(store: Store): Promise<World> {
  const alice = await newUser(store, "alice");
  const bob = await newUser(store, "bob");
  const server: ServerRecord = {
    id: crypto.randomUUID(),
    name: "S",
    ownerId: alice.id,
    createdAt: new Date(),
    iconVersion: null,
  };
  const general = channelRecord(server.id, "general", new Date());
  await store.createServer(server, general);
  const random = channelRecord(server.id, "random", new Date());
  await store.createChannel(random);
  await store.addMember(server.id, bob.id, new Date());
  return { store, alice, bob, server, general, random };
}

async function send(
  w: World,
  content: string,
  options: {
    channel?: ChannelRecord;
    author?: UserRecord;
    mentions?: string[];
    at?: Date;
    /** Content types of files uploaded (by the author, to the channel) and sent with it. */
    files?: string[];
  } = {},
): Promise<MessageRecord> {
  const createdAt = options.at ?? new Date(clock += 60_000);
  const mentions: MessageMentions = { users: options.mentions ?? [], everyone: false };
  const channel = options.channel ?? w.general;
  const author = options.author ?? w.alice;
  const attachments = await Promise.all(
    (options.files ?? []).map((contentType) => uploadOf(w, channel, author, contentType)),
  );
  const { message } = await w.store.appendMessage({
    id: uuidv7({ msecs: createdAt.getTime() }),
    channelId: channel.id,
    authorId: author.id,
    content,
    createdAt,
    nonce: null,
    replyToId: null,
    mentions,
    ...(attachments.length ? { attachments: attachments.map(toMessageAttachment) } : {}),
  });
  return message;
}

/** An unsent upload's record, as the upload service stores it (an image has its sizes). */
async function uploadOf(
  w: World,
  channel: ChannelRecord,
  uploader: UserRecord,
  contentType: string,
): Promise<AttachmentRecord> {
  const image = contentType.startsWith("image/");
  const record: AttachmentRecord = {
    id: crypto.randomUUID(),
    serverId: channel.serverId,
    channelId: channel.id,
    uploaderId: uploader.id,
    filename: image ? "photo.png" : "notes.txt",
    contentType,
    size: 1000,
    width: image ? 20 : null,
    height: image ? 10 : null,
    placeholder: image ? "abc=" : null,
    thumbnailSize: image ? 200 : null,
    createdAt: new Date(),
    messageId: null,
  };
  await w.store.createAttachment(record);
  return record;
}

/** Criteria for `q` (parsed as the service parses it) over both channels of the world. */
function criteria(w: World, q: string, overrides: Partial<SearchCriteria> = {}): SearchCriteria {
  const query = parseQuery(q);
  return {
    channels: [w.general, w.random].map((c) => ({ channelId: c.id, serverId: c.serverId })),
    required: query.required,
    excluded: query.excluded,
    authorIds: null,
    mentionIds: null,
    hasLink: query.has.includes("link"),
    hasFile: query.has.includes("file"),
    hasImage: query.has.includes("image"),
    pinned: query.pinned,
    before: query.before,
    after: query.after,
    beforeId: null,
    limit: 25,
    ...overrides,
  };
}

/** The contents found for `q`, newest first. */
async function found(w: World, q: string, overrides: Partial<SearchCriteria> = {}) {
  return (await w.store.searchMessages(criteria(w, q, overrides))).map((m) => m.content);
}

export function searchStoreContract(backend: Backend): void {
  const test = (name: string, fn: (w: World) => Promise<void>) =>
    storeTest(backend, `search store - ${name} (${backend.name})`, async ({ store }) => {
      await fn(await world(store));
    });

  test("words match in any case and without accents, all of them, newest first", async (w) => {
    await send(w, "Le Café est ouvert");
    await send(w, "CAFE noir, s'il vous plaît");
    await send(w, "un café au lait", { channel: w.random });
    await send(w, "tea only");
    assert.deepEqual(await found(w, "cafe"), [
      "un café au lait",
      "CAFE noir, s'il vous plaît",
      "Le Café est ouvert",
    ]);
    assert.deepEqual(await found(w, "CAFÉ NOIR"), ["CAFE noir, s'il vous plaît"]);
    assert.deepEqual(await found(w, "plait"), ["CAFE noir, s'il vous plaît"]);
    assert.deepEqual(await found(w, "cafe tea"), []);
    // Whole words: no substring of a word.
    assert.deepEqual(await found(w, "caf"), []);
  });

  test("URLs are found by their host and path parts", async (w) => {
    await send(w, "docs at https://Example.com/Guides/Intro-Page?x=1 today");
    await send(w, "example of nothing");
    const url = ["docs at https://Example.com/Guides/Intro-Page?x=1 today"];
    assert.deepEqual(await found(w, "example.com"), url);
    assert.deepEqual(await found(w, "guides"), url);
    assert.deepEqual(await found(w, "intro-page"), url);
    assert.deepEqual(await found(w, "https://example.com/guides"), url);
    assert.deepEqual(await found(w, "has:link"), url);
    assert.deepEqual(await found(w, "example"), ["example of nothing", ...url]);
  });

  test("a CJK sentence is found by the words inside it", async (w) => {
    await send(w, "昨日は東京タワーに行きました");
    await send(w, "大阪城も見たい");
    assert.deepEqual(await found(w, "東京"), ["昨日は東京タワーに行きました"]);
    assert.deepEqual(await found(w, "タワー"), ["昨日は東京タワーに行きました"]);
    assert.deepEqual(await found(w, "東京タワー"), ["昨日は東京タワーに行きました"]);
    assert.deepEqual(await found(w, "大阪"), ["大阪城も見たい"]);
    assert.deepEqual(await found(w, "京都"), []);
    assert.deepEqual(await found(w, "見た -大阪"), []);
  });

  test("phrases match in order and -word excludes", async (w) => {
    await send(w, "good morning everyone");
    await send(w, "morning, good people");
    await send(w, "Good Morning spam");
    assert.deepEqual(await found(w, '"good morning"'), [
      "Good Morning spam",
      "good morning everyone",
    ]);
    assert.deepEqual(await found(w, "morning -everyone -spam"), ["morning, good people"]);
    assert.deepEqual(await found(w, 'good -"good morning"'), ["morning, good people"]);
    assert.deepEqual(await found(w, "-morning"), []);
  });

  test("edits and deletions show at once", async (w) => {
    const message = await send(w, "alpha release");
    await send(w, "unrelated");
    assert.deepEqual(await found(w, "alpha"), ["alpha release"]);
    await w.store.editMessage(message.id, "beta release", new Date());
    assert.deepEqual(await found(w, "alpha"), []);
    assert.deepEqual(await found(w, "beta"), ["beta release"]);
    assert.deepEqual(await found(w, "release"), ["beta release"]);
    await w.store.deleteMessage(message.id);
    assert.deepEqual(await found(w, "beta"), []);
    assert.deepEqual(await found(w, "release"), []);
  });

  test("a deleted channel's messages are gone at once", async (w) => {
    await send(w, "kept word", { channel: w.general });
    await send(w, "lost word", { channel: w.random });
    await w.store.deleteChannel(w.random.id, null);
    assert.deepEqual(await found(w, "word"), ["kept word"]);
    assert.deepEqual(await found(w, "lost"), []);
  });

  test("only the channels named are searched", async (w) => {
    await send(w, "secret plan", { channel: w.random });
    await send(w, "public plan", { channel: w.general });
    const onlyGeneral = [{ channelId: w.general.id, serverId: w.server.id }];
    assert.deepEqual(await found(w, "plan", { channels: onlyGeneral }), ["public plan"]);
    assert.deepEqual(await found(w, "secret", { channels: onlyGeneral }), []);
    assert.deepEqual(await found(w, "plan", { channels: [] }), []);
  });

  test("from:, mentions:, is:pinned filter", async (w) => {
    await send(w, "hello from alice");
    const bobs = await send(w, "hello from bob", { author: w.bob, mentions: [w.alice.id] });
    await send(w, "no greeting", { author: w.bob });
    assert.deepEqual(await found(w, "hello", { authorIds: [w.bob.id] }), ["hello from bob"]);
    assert.deepEqual(await found(w, "from:x", { required: [], authorIds: [w.bob.id] }), [
      "no greeting",
      "hello from bob",
    ]);
    assert.deepEqual(await found(w, "hello", { mentionIds: [w.alice.id] }), ["hello from bob"]);
    assert.deepEqual(await found(w, "hello", { mentionIds: [w.bob.id] }), []);
    assert.deepEqual(await found(w, "is:pinned"), []);
    await w.store.pinMessage({
      channelId: w.general.id,
      messageId: bobs.id,
      pinnedBy: w.alice.id,
      pinnedAt: new Date(),
    }, null);
    assert.deepEqual(await found(w, "is:pinned"), ["hello from bob"]);
    assert.deepEqual(await found(w, "hello is:pinned"), ["hello from bob"]);
    assert.deepEqual(await found(w, "greeting is:pinned"), []);
  });

  test("before: and after: exclude the day named", async (w) => {
    const day = Date.parse("2025-06-15T00:00:00Z");
    await send(w, "note one", { at: new Date(day - DAY + 1000) }); // 14th
    await send(w, "note two", { at: new Date(day + 1000) }); // 15th
    await send(w, "note three", { at: new Date(day + DAY + 1000) }); // 16th
    assert.deepEqual(await found(w, "note before:2025-06-15"), ["note one"]);
    assert.deepEqual(await found(w, "note after:2025-06-15"), ["note three"]);
    assert.deepEqual(await found(w, "note after:2025-06-13 before:2025-06-16"), [
      "note two",
      "note one",
    ]);
    assert.deepEqual(await found(w, "after:2025-06-15"), ["note three"]);
  });

  test("pages go newest first below the cursor, without repeats or gaps", async (w) => {
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) {
      sent.push((await send(w, `item number ${i}`, { channel: i % 2 ? w.random : w.general })).id);
    }
    await send(w, "other");
    const seen: string[] = [];
    let beforeId: string | null = null;
    for (let page = 0; page < 5; page++) {
      const messages = await w.store.searchMessages(criteria(w, "item", { limit: 3, beforeId }));
      seen.push(...messages.map((m) => m.id));
      if (messages.length < 3) break;
      beforeId = messages[messages.length - 1].id;
    }
    assert.deepEqual(seen, sent.reverse());
  });

  test("words far apart in many messages: the rare one is found among common ones", async (w) => {
    for (let i = 0; i < 150; i++) await send(w, `common filler ${i}`);
    await send(w, "common and rare together");
    for (let i = 0; i < 30; i++) await send(w, `common tail ${i}`);
    assert.deepEqual(await found(w, "common rare"), ["common and rare together"]);
    assert.deepEqual(await found(w, "rare"), ["common and rare together"]);
    assert.equal((await found(w, "common", { limit: 100 })).length, 100);
  });

  test("has:file finds messages with attachments, has:image those with an inline image", async (w) => {
    await send(w, "report attached", { files: ["text/plain"] });
    await send(w, "holiday picture", { files: ["image/png"], channel: w.random });
    await send(w, "holiday plans, no file");
    // An SVG is text served as a download, not an inline image.
    await send(w, "drawing", { files: ["image/svg+xml"] });
    await send(w, "two files", { files: ["application/pdf", "image/webp"] });
    assert.deepEqual(await found(w, "has:file"), [
      "two files",
      "drawing",
      "holiday picture",
      "report attached",
    ]);
    assert.deepEqual(await found(w, "has:image"), ["two files", "holiday picture"]);
    assert.deepEqual(await found(w, "holiday has:file"), ["holiday picture"]);
    assert.deepEqual(await found(w, "holiday has:image"), ["holiday picture"]);
    assert.deepEqual(await found(w, "report has:image"), []);
    assert.deepEqual(await found(w, "has:file has:image -two"), ["holiday picture"]);
    assert.deepEqual(await found(w, "has:image", { channels: [w.general].map(scopeOf) }), [
      "two files",
    ]);
    // An edit keeps the message's files: it stays found by them.
    const edited = await send(w, "old words", { files: ["image/gif"] });
    await w.store.editMessage(edited.id, "new words", new Date());
    assert.deepEqual(await found(w, "new has:image"), ["new words"]);
    await w.store.deleteMessage(edited.id);
    assert.deepEqual(await found(w, "words has:file"), []);
  });
}

function scopeOf(channel: ChannelRecord) {
  return { channelId: channel.id, serverId: channel.serverId };
}

// The store's copy of the inline image types (db/ does not import lib/) must not drift.
Deno.test("search store - INLINE_IMAGE_TYPES is lib/images.ts IMAGE_TYPES", () => {
  assert.deepEqual([...INLINE_IMAGE_TYPES], [...IMAGE_TYPES]);
});
