/**
 * Users online on other instances, as those instances announced them: user → instance → the
 * servers the announcement went to (so an instance's death can be told to the same sockets).
 */
export class RemotePresence {
  #byUser = new Map<string, Map<string, string[]>>();
  #byOrigin = new Map<string, Set<string>>();

  /** True if another instance holds a socket of the user. */
  has(userId: string): boolean {
    return this.#byUser.has(userId);
  }

  /** The other instances that hold a socket of the user. */
  originsOf(userId: string): Iterable<string> {
    return this.#byUser.get(userId)?.keys() ?? [];
  }

  /** Records an instance's announcement. */
  note(origin: string, userId: string, online: boolean, serverIds: string[]): void {
    const origins = this.#byUser.get(userId) ?? new Map<string, string[]>();
    const users = this.#byOrigin.get(origin) ?? new Set<string>();
    if (online) {
      origins.set(origin, serverIds);
      users.add(userId);
    } else {
      origins.delete(origin);
      users.delete(userId);
    }
    if (origins.size > 0) this.#byUser.set(userId, origins);
    else this.#byUser.delete(userId);
    if (users.size > 0) this.#byOrigin.set(origin, users);
    else this.#byOrigin.delete(origin);
  }

  /**
   * An instance's full list of its online users (its heartbeat): those it had not announced are
   * online from it now, those it no longer lists are not. The users whose status changed on the
   * whole (no other instance has them) are returned, with the servers their last announcement
   * from it went to (none for one never announced).
   */
  replace(
    origin: string,
    userIds: string[],
  ): { online: string[]; offline: { userId: string; serverIds: string[] }[] } {
    const listed = new Set(userIds);
    const online: string[] = [];
    const offline: { userId: string; serverIds: string[] }[] = [];
    for (const userId of this.#byOrigin.get(origin) ?? []) {
      if (listed.has(userId)) continue;
      const serverIds = this.#byUser.get(userId)?.get(origin) ?? [];
      this.note(origin, userId, false, []);
      if (!this.has(userId)) offline.push({ userId, serverIds });
    }
    const known = this.#byOrigin.get(origin);
    for (const userId of listed) {
      if (known?.has(userId)) continue;
      const before = this.has(userId);
      this.note(origin, userId, true, []);
      if (!before) online.push(userId);
    }
    return { online, offline };
  }

  /** Forgets a dead instance: the users it alone had, with the servers it announced them to. */
  drop(origin: string): { userId: string; serverIds: string[] }[] {
    const gone: { userId: string; serverIds: string[] }[] = [];
    for (const userId of this.#byOrigin.get(origin) ?? []) {
      const origins = this.#byUser.get(userId);
      const serverIds = origins?.get(origin) ?? [];
      origins?.delete(origin);
      if (origins?.size) continue;
      this.#byUser.delete(userId);
      gone.push({ userId, serverIds });
    }
    this.#byOrigin.delete(origin);
    return gone;
  }
}
