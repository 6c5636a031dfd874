/**
 * Search results grouped by channel for the panel: the groups in the order of their newest
 * result (results come newest first), each keeping its results' order. Pure, tested alone.
 */

/** What a result needs for grouping. */
export interface Grouped<T> {
  channelId: string;
  results: T[];
}

export function groupByChannel<T extends { channelId: string }>(results: T[]): Grouped<T>[] {
  const groups = new Map<string, T[]>();
  for (const result of results) {
    const group = groups.get(result.channelId);
    if (group) group.push(result);
    else groups.set(result.channelId, [result]);
  }
  return [...groups].map(([channelId, results]) => ({ channelId, results }));
}
