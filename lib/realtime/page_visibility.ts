/**
 * Whose pages are in sight, for notifications (API.md "Notifications" and "Precisions"): a user
 * with a visible live page gets no push. Every socket counts as visible (a raw socket client
 * sees messages live) until its page says otherwise with `{"type": "visibility", "visible":
 * false}`.
 *
 * Here: the hidden sockets of each local user. From other instances: the users whose every
 * socket there is hidden, told by a `page_visibility` instance event when that changes and by
 * each heartbeat's `hidden` list (which also mends a lost event), forgotten with an instance that
 * goes silent. A user is in sight if some instance holding a socket of theirs (the hub's
 * presence) does not list them as hidden.
 */
export class PageVisibility {
  /** Local sockets whose page is hidden, by user. */
  #hidden = new Map<string, Set<number>>();
  /** Other instances: the users whose sockets there are all hidden. */
  #remoteHidden = new Map<string, Set<string>>();

  /** Records a local socket's page as hidden or visible. */
  set(userId: string, socketId: number, hidden: boolean): void {
    const sockets = this.#hidden.get(userId);
    if (hidden) {
      if (sockets) sockets.add(socketId);
      else this.#hidden.set(userId, new Set([socketId]));
    } else if (sockets?.delete(socketId) && sockets.size === 0) {
      this.#hidden.delete(userId);
    }
  }

  /** Forgets a closed local socket. */
  forget(userId: string, socketId: number): void {
    this.set(userId, socketId, false);
  }

  /** True if the user's `socketCount` local sockets are all hidden (false with none). */
  allHidden(userId: string, socketCount: number): boolean {
    return socketCount > 0 && (this.#hidden.get(userId)?.size ?? 0) >= socketCount;
  }

  /** The local users whose sockets are all hidden (`socketsOf` counts each user's sockets). */
  hiddenUsers(socketsOf: (userId: string) => number): string[] {
    return [...this.#hidden.keys()].filter((userId) => this.allHidden(userId, socketsOf(userId)));
  }

  /** Another instance says the user's sockets there are all hidden, or not. */
  noteRemote(origin: string, userId: string, hidden: boolean): void {
    const users = this.#remoteHidden.get(origin);
    if (hidden) {
      if (users) users.add(userId);
      else this.#remoteHidden.set(origin, new Set([userId]));
    } else if (users?.delete(userId) && users.size === 0) {
      this.#remoteHidden.delete(origin);
    }
  }

  /** Another instance's full list (its heartbeat). */
  replaceRemote(origin: string, userIds: string[]): void {
    if (userIds.length === 0) this.#remoteHidden.delete(origin);
    else this.#remoteHidden.set(origin, new Set(userIds));
  }

  /** Forgets an instance that went silent. */
  dropRemote(origin: string): void {
    this.#remoteHidden.delete(origin);
  }

  /** True if that instance says the user's sockets there are all hidden. */
  hiddenOn(origin: string, userId: string): boolean {
    return this.#remoteHidden.get(origin)?.has(userId) ?? false;
  }
}
