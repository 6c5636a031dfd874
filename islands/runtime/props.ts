/**
 * The island props codec, shared by the server (serialise) and the browser (revive).
 *
 * All islands of a page are serialised together into one flat JSON array. Slot 0 holds the
 * root (the array of every island's props). Each slot holds one value:
 * - a string, boolean, null or finite number: itself;
 * - an array of slot indexes: an array;
 * - an object of slot indexes: a plain object;
 * - an array starting with a tag string: a special value —
 *   `["u"]` undefined, `["n", "NaN" | "Infinity" | "-Infinity" | "-0"]` a special number,
 *   `["b", "123"]` a bigint, `["d", iso]` a Date, `["m", [k, v, …]]` a Map, `["s", […]]` a Set,
 *   `["g", i]` a signal whose current value is slot i.
 *
 * Containers hold indexes, so an object reached twice is written once and revived as one object
 * (cycles included), and a signal passed to two islands becomes one shared signal in the browser.
 * Functions, class instances, symbols and JSX (slots) are refused with a message naming the path.
 *
 * @example Round trip
 * ```ts
 * const shared = signal(1);
 * const [a, b] = reviveProps(serializeProps([{ count: shared }, { count: shared }]));
 * a.count === b.count; // true: one signal
 * ```
 */
import { Signal, signal } from "@preact/signals";

type Slot = string | number | boolean | null | number[] | Record<string, number> | unknown[];

/** Serialises a value (the props of every island on a page) to the flat JSON text. */
export function serializeProps(root: unknown): string {
  const slots: Slot[] = [];
  const seen = new Map<unknown, number>();

  function encode(value: unknown, path: string): number {
    if (typeof value === "object" && value !== null || typeof value === "function") {
      const known = seen.get(value);
      if (known !== undefined) return known;
    }
    const index = slots.length;
    slots.push(null);
    if (typeof value === "object" && value !== null) seen.set(value, index);
    slots[index] = encodeSlot(value, path);
    return index;
  }

  function encodeSlot(value: unknown, path: string): Slot {
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "number":
        if (Number.isFinite(value) && !Object.is(value, -0)) return value;
        return ["n", Object.is(value, -0) ? "-0" : String(value)];
      case "bigint":
        return ["b", value.toString()];
      case "undefined":
        return ["u"];
      case "object":
        return value === null ? null : encodeObject(value, path);
      default:
        throw new TypeError(`Island props must be serialisable: ${path} is a ${typeof value}`);
    }
  }

  function encodeObject(value: object, path: string): Slot {
    if (value instanceof Signal) return ["g", encode(value.peek(), `${path}.value`)];
    if (value instanceof Date) return ["d", value.toISOString()];
    if (Array.isArray(value)) return value.map((item, i) => encode(item, `${path}[${i}]`));
    if (value instanceof Map) {
      return [
        "m",
        [...value].flatMap((
          [k, v],
          i,
        ) => [encode(k, `${path}<key ${i}>`), encode(v, `${path}<${i}>`)]),
      ];
    }
    if (value instanceof Set) {
      return [
        "s",
        [...value].map((item, i) => encode(item, `${path}<${i}>`)),
      ];
    }
    if ("type" in value && "props" in value && Object.hasOwn(value, "constructor")) {
      // A VNode (Preact marks them with a `constructor` key): slots are not supported.
      throw new TypeError(
        `Island props must be serialisable: ${path} is JSX (slots are not supported)`,
      );
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new TypeError(`Island props must be serialisable: ${path} is a class instance`);
    }
    const encoded: Record<string, number> = {};
    for (const [key, item] of Object.entries(value)) encoded[key] = encode(item, `${path}.${key}`);
    return encoded;
  }

  encode(root, "props");
  return JSON.stringify(slots);
}

/** Escapes serialised props for a `<script type="application/json">` element. */
export function escapeForScript(json: string): string {
  // `<` covers both `</script` and `<!--`; the line separators are not valid in old JS parsers.
  return json.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const SPECIAL_NUMBERS: Record<string, number> = {
  "NaN": NaN,
  "Infinity": Infinity,
  "-Infinity": -Infinity,
  "-0": -0,
};

/** Revives what `serializeProps` produced. */
export function reviveProps<T = unknown>(json: string): T {
  const slots = JSON.parse(json) as Slot[];
  const revived = new Map<number, unknown>();

  function decode(index: number): unknown {
    if (revived.has(index)) return revived.get(index);
    const slot = slots[index];
    if (slot === null || typeof slot !== "object") return slot;
    if (Array.isArray(slot) && typeof slot[0] === "string") return decodeTagged(index, slot);
    if (Array.isArray(slot)) {
      const array: unknown[] = [];
      revived.set(index, array);
      for (const item of slot as number[]) array.push(decode(item));
      return array;
    }
    const object: Record<string, unknown> = {};
    revived.set(index, object);
    for (const [key, item] of Object.entries(slot)) {
      // defineProperty, not assignment: a key named "__proto__" must stay a plain key.
      Object.defineProperty(object, key, {
        value: decode(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return object;
  }

  function decodeTagged(index: number, [tag, payload]: unknown[]): unknown {
    switch (tag) {
      case "u":
        return undefined;
      case "n":
        return SPECIAL_NUMBERS[payload as string];
      case "b":
        return BigInt(payload as string);
      case "d":
        return new Date(payload as string);
      case "g": {
        const value = signal<unknown>(undefined);
        revived.set(index, value);
        value.value = decode(payload as number);
        return value;
      }
      case "m": {
        const map = new Map();
        revived.set(index, map);
        const items = payload as number[];
        for (let i = 0; i < items.length; i += 2) map.set(decode(items[i]), decode(items[i + 1]));
        return map;
      }
      case "s": {
        const set = new Set();
        revived.set(index, set);
        for (const item of payload as number[]) set.add(decode(item));
        return set;
      }
      default:
        throw new TypeError(`Unknown island props tag "${tag}" in slot ${index}`);
    }
  }

  return decode(0) as T;
}
