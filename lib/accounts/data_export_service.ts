/**
 * A user's data export (GET /api/me/export): reads their profile, memberships and messages from
 * the store and hands back the archive as a stream (layout in data_export.ts).
 *
 * Messages are read a page at a time, and the next page only once the download has taken the
 * bytes of the last, so memory stays flat however many messages a user wrote. An export is
 * heavy (it reads everything a user ever wrote), so each user may run one at a time and
 * DATA_EXPORTS_PER_WINDOW per DATA_EXPORT_WINDOW_MS. Like the login limits, the counts live in
 * this instance's memory: with several instances a user gets that many per instance.
 */
import type { MembershipRecord, Store, UserRecord } from "../../db/store.ts";
import { toWireChannel, toWireServer } from "../chat/shapes.ts";
import { decorateMessages } from "../conversations/decoration.ts";
import { dataExportChunks } from "./data_export.ts";
import { RateLimited } from "../errors.ts";
import {
  DATA_EXPORT_BUSY_RETRY_S,
  DATA_EXPORT_PAGE_SIZE,
  DATA_EXPORT_WINDOW_MS,
  DATA_EXPORTS_PER_WINDOW,
} from "../limits.ts";
import { toPublicUser } from "../public_user.ts";
import { memoryRateLimits } from "../rate_limits/rate_limits.ts";
import type { RateLimitBackend, WindowLimit } from "../rate_limits/rate_limits.ts";
import type { WireChannel, WireMessage, WireServer } from "../realtime/protocol.ts";

/** One line of memberships.json: a server the user belongs to, its channels, and since when. */
export interface ExportedMembership {
  server: WireServer;
  joinedAt: string;
  channels: WireChannel[];
}

/** The name a user's export is saved under (usernames are [a-z0-9_.-], safe in a header). */
export function dataExportFilename(user: Pick<UserRecord, "username">): string {
  return `salon-export-${user.username}.zip`;
}

export interface DataExportServiceOptions {
  store: Store;
  now?: () => number;
  /** Messages read from the store at once. */
  pageSize?: number;
  /** Where the counts live (default: this process's memory). */
  rateLimits?: RateLimitBackend;
}

export class DataExportService {
  #store: Store;
  #now: () => number;
  #pageSize: number;
  #limiter: WindowLimit;
  /** Users whose export is being downloaded right now. */
  #running = new Set<string>();

  constructor(options: DataExportServiceOptions) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#pageSize = options.pageSize ?? DATA_EXPORT_PAGE_SIZE;
    // Fails open: it only spares the store one user's repeated exports.
    this.#limiter = (options.rateLimits ?? memoryRateLimits(this.#now)).window({
      name: "data_export",
      limit: DATA_EXPORTS_PER_WINDOW,
      windowMs: DATA_EXPORT_WINDOW_MS,
      failOpen: true,
    });
  }

  /**
   * Starts the user's export and returns its bytes; 429 while one of theirs runs or past the
   * hourly allowance. The memberships are read before the answer starts, so a store that is
   * away gives 503, not a broken download; a failure later cuts the download short (the ZIP
   * then does not open).
   */
  async start(user: UserRecord): Promise<ReadableStream<Uint8Array>> {
    // The slot is taken before the allowance is read (a round trip with Redis): two requests
    // at once must not both find it free.
    this.#refuseIfRunning(user.id);
    this.#running.add(user.id);
    let memberships: MembershipRecord[];
    let dmPolicy: string;
    try {
      await this.#refuseIfSpent(user.id);
      [memberships, dmPolicy] = await Promise.all([
        this.#store.listMembershipsOf(user.id),
        this.#store.findDmPolicy(user.id),
      ]);
    } catch (error) {
      this.#running.delete(user.id);
      throw error;
    }
    await this.#limiter.hit(user.id);
    const exportedAt = new Date(this.#now());
    const chunks = dataExportChunks({
      // The profile as GET /api/me answers it (the caller's own dmPolicy included).
      profile: { user: { ...toPublicUser(user), dmPolicy }, exportedAt: exportedAt.toISOString() },
      memberships: this.#withChannels(memberships),
      messages: this.#messages(user),
    }, exportedAt);
    return streamUntilDone(chunks, () => this.#running.delete(user.id));
  }

  /** Throws the 429 that `start` would now, without starting (for HEAD, a cheap pre-check). */
  async admit(user: Pick<UserRecord, "id">): Promise<void> {
    this.#refuseIfRunning(user.id);
    await this.#refuseIfSpent(user.id);
  }

  #refuseIfRunning(userId: string): void {
    if (this.#running.has(userId)) {
      throw new RateLimited(DATA_EXPORT_BUSY_RETRY_S, "Your export is already being downloaded.");
    }
  }

  async #refuseIfSpent(userId: string): Promise<void> {
    const waitMs = await this.#limiter.retryAfterMs(userId);
    if (waitMs > 0) {
      throw new RateLimited(
        Math.ceil(waitMs / 1000),
        `At most ${DATA_EXPORTS_PER_WINDOW} exports an hour.`,
      );
    }
  }

  async *#withChannels(memberships: MembershipRecord[]): AsyncGenerator<ExportedMembership> {
    for (const { server, joinedAt } of memberships) {
      const channels = await this.#store.listChannels(server.id);
      yield {
        server: toWireServer(server),
        joinedAt: joinedAt.toISOString(),
        channels: channels.map((channel) => toWireChannel(channel)),
      };
    }
  }

  /** The user's messages, oldest first, across every channel (left servers' too). */
  async *#messages(user: UserRecord): AsyncGenerator<WireMessage> {
    let afterId: string | undefined;
    while (true) {
      const page = await this.#store.listMessagesByAuthor(user.id, {
        afterId,
        limit: this.#pageSize,
      });
      // As `GET …/messages` shapes them (reactions, pins, replies), a page in a few reads.
      for (const message of await decorateMessages(this.#store, page, user.id)) yield message;
      if (page.length < this.#pageSize) return;
      afterId = page[page.length - 1].id;
    }
  }
}

/**
 * `chunks` as a byte stream that calls `onDone` once, when it ends, fails or is cancelled. It
 * reads one chunk ahead so that `onDone` runs before the last chunk goes out: a client that has
 * the whole file may start its next export at once.
 */
function streamUntilDone(
  chunks: AsyncGenerator<Uint8Array>,
  onDone: () => void,
): ReadableStream<Uint8Array> {
  let done = false;
  const finish = () => {
    if (!done) onDone();
    done = true;
  };
  let next: IteratorResult<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const current = next ?? await chunks.next();
        next = current.done ? current : await chunks.next();
        if (next.done) finish();
        if (!current.done) controller.enqueue(current.value);
        if (next.done) controller.close();
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    async cancel() {
      finish();
      await chunks.return(undefined);
    },
  });
}
