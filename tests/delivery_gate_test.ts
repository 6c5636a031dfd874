/** The delivery gate alone: what one socket may write, and when, for every ordering rule. */
import assert from "node:assert/strict";
import { DeliveryGate } from "../lib/realtime/delivery_gate.ts";

/** A message event's text and order, as the hub hands them over ("A:3": channel A, seq 3). */
function message(channelId: string, seq: number): [string, { channelId: string; seq: number }] {
  return [`${channelId}:${seq}`, { channelId, seq }];
}

/** Offers a message to the gate: true if it may be written now. */
function admit(gate: DeliveryGate, channelId: string, seq: number): boolean {
  return gate.admit(...message(channelId, seq));
}

Deno.test("DeliveryGate - before ready everything waits; ready drops what it counted", () => {
  const gate = new DeliveryGate();
  assert.equal(gate.admit("presence"), false);
  assert.equal(admit(gate, "A", 1), false);
  assert.equal(admit(gate, "A", 2), false);
  assert.equal(admit(gate, "B", 1), false);
  // `ready` said A's lastSeq is 1 and B's 0: A:1 is counted, the rest goes, in arrival order.
  const out = gate.ready(new Map([["A", 1], ["B", 0]]), []);
  assert.deepEqual(out, ["presence", "A:2", "B:1"]);
  assert.equal(gate.awaitingResume, false, "a resume came before ready: no grace moment");
  assert.equal(admit(gate, "A", 3), true);
});

Deno.test("DeliveryGate - a channel resumed before ready waits for its replay", () => {
  const gate = new DeliveryGate();
  assert.equal(admit(gate, "A", 2), false);
  assert.equal(admit(gate, "A", 3), false);
  assert.equal(admit(gate, "A", 4), false);
  assert.deepEqual(gate.ready(new Map([["A", 2]]), ["A"]), [], "A waits for its replay");
  assert.equal(gate.replayBound("A"), undefined, "nothing live yet: the replay reads it all");
  // The replay wrote A:1 to A:3 from the store (the client had seen none).
  gate.replayed("A", 3);
  assert.deepEqual(gate.release("A"), ["A:4"], "only what the replay did not send");
});

Deno.test("DeliveryGate - in the grace moment messages wait and other events pass", () => {
  const gate = new DeliveryGate();
  assert.deepEqual(gate.ready(new Map(), undefined), []);
  assert.equal(gate.awaitingResume, true);
  assert.equal(gate.admit("typing"), true);
  assert.equal(admit(gate, "A", 1), false);
  assert.equal(admit(gate, "B", 1), false);
  assert.deepEqual(gate.endGrace(), ["A:1", "B:1"], "no resume came: they go, in order");
  assert.equal(gate.awaitingResume, false);
  assert.deepEqual(gate.endGrace(), [], "ending it twice releases nothing more");
  assert.equal(admit(gate, "A", 2), true);
});

Deno.test("DeliveryGate - a resume in the grace moment holds its channels only", () => {
  const gate = new DeliveryGate();
  gate.ready(new Map(), undefined);
  admit(gate, "A", 5);
  admit(gate, "B", 7);
  assert.deepEqual(gate.endGrace(["A"]), ["B:7"], "B is not resumed: it goes at once");
  assert.equal(admit(gate, "B", 8), true, "other channels are not held during A's replay");
  assert.equal(admit(gate, "A", 6), false);
  // The client had A up to 2; the replay wrote 3..5 and met the live 5 already stored.
  gate.replayed("A", 5);
  assert.equal(admit(gate, "A", 7), false);
  assert.deepEqual(gate.release("A"), ["A:6", "A:7"], "no gap, no duplicate, in seq order");
  assert.equal(admit(gate, "A", 8), true);
});

Deno.test("DeliveryGate - a message at or below the highest seq written drops", () => {
  const gate = new DeliveryGate();
  gate.ready(new Map(), []);
  assert.equal(admit(gate, "A", 1), true);
  assert.equal(admit(gate, "A", 1), false);
  assert.equal(admit(gate, "A", 3), true);
  assert.equal(admit(gate, "A", 2), false);
  assert.equal(admit(gate, "B", 1), true, "seqs are per channel");
  gate.replayed("B", 4);
  assert.equal(admit(gate, "B", 4), false, "a replayed seq counts as written");
  assert.equal(admit(gate, "B", 5), true);
});

Deno.test("DeliveryGate - replayBound is the first live seq of each channel", () => {
  const gate = new DeliveryGate();
  gate.ready(new Map(), []);
  admit(gate, "A", 5);
  admit(gate, "A", 6);
  gate.replayed("B", 3);
  assert.equal(gate.replayBound("A"), 5);
  assert.equal(gate.replayBound("B"), undefined, "a replay is not live delivery");
  assert.equal(gate.replayBound("C"), undefined);
});

Deno.test("DeliveryGate - a failed replay still releases its channel, above the hole", () => {
  const gate = new DeliveryGate();
  assert.equal(admit(gate, "A", 8), false);
  gate.ready(new Map([["A", 8]]), ["A"]);
  assert.equal(admit(gate, "A", 9), false);
  // The store failed before the replay wrote anything: the live message still goes, but not
  // the one `ready` counted (the client may have it: it resumes again to learn).
  assert.deepEqual(gate.release("A"), ["A:9"]);
  assert.equal(gate.replayBound("A"), 9, "a second resume replays the hole below it");
  assert.deepEqual(gate.release("A"), [], "released once");
});

/** A small seeded generator (mulberry32), so a failing case can be replayed by its seed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One reconnect under live traffic, its steps shuffled by `seed`: messages are stored and
 * published on channels A and B while the socket subscribes, reads `ready`, and resumes A from
 * the client's last seen seq (before `ready`, or in the grace moment), its replay reading the
 * store a page at a time. Returns what the socket wrote and the positions it must cover.
 */
function reconnect(seed: number) {
  const random = seeded(seed);
  const gate = new DeliveryGate();
  const stored = { A: Math.floor(random() * 6), B: Math.floor(random() * 3) };
  const lastSeen = Math.floor(random() * (stored.A + 1));
  const written: string[] = [];
  const heldB: number[] = [];
  let live = false;
  const publish = () => {
    const channelId = random() < 0.6 ? "A" : "B";
    const seq = ++stored[channelId];
    const now = admit(gate, channelId, seq);
    if (now) written.push(`${channelId}:${seq}`);
    if (channelId === "B" && live && !now) heldB.push(seq);
  };
  const publishSome = (most: number) => {
    for (let n = Math.floor(random() * (most + 1)); n > 0; n--) publish();
  };

  publishSome(3); // subscribed, reading the state for `ready`
  const readySeqs = new Map(Object.entries(stored));
  publishSome(3); // read, `ready` not yet sent
  const early = random() < 0.5;
  written.push(...gate.ready(readySeqs, early ? ["A"] : undefined));
  if (!early) {
    publishSome(3); // the grace moment, then the late `resume`
    written.push(...gate.endGrace(["A"]));
  }
  live = true;
  gate.holdForReplay("A");
  const bound = gate.replayBound("A") ?? Infinity;
  let cursor = lastSeen;
  for (let done = false; !done;) {
    publishSome(2);
    const page: number[] = [];
    for (let seq = cursor + 1; seq <= stored.A && seq < bound && page.length < 2; seq++) {
      page.push(seq);
    }
    written.push(...page.map((seq) => `A:${seq}`));
    if (page.length > 0) gate.replayed("A", cursor = page[page.length - 1]);
    done = page.length < 2;
  }
  written.push(...gate.release("A"));
  publishSome(2);
  return { written, stored, lastSeen, readyB: readySeqs.get("B")!, heldB };
}

function seqsOf(written: string[], channelId: string): number[] {
  return written.filter((text) => text.startsWith(`${channelId}:`)).map((t) => +t.slice(2));
}

function range(after: number, upTo: number): number[] {
  return Array.from({ length: upTo - after }, (_, i) => after + 1 + i);
}

Deno.test("DeliveryGate - a resume under live traffic: no gap, no duplicate, seq order", () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const { written, stored, lastSeen, readyB, heldB } = reconnect(seed);
    assert.deepEqual(seqsOf(written, "A"), range(lastSeen, stored.A), `seed ${seed}: A`);
    assert.deepEqual(seqsOf(written, "B"), range(readyB, stored.B), `seed ${seed}: B`);
    assert.deepEqual(heldB, [], `seed ${seed}: B waited for A's replay`);
  }
});
