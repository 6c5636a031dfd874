/** The islands layer: the props codec and the server markup (hydration is in browser_test.ts). */
import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import type { Signal } from "@preact/signals";
import { escapeForScript, reviveProps, serializeProps } from "../islands/runtime/props.ts";
import { island } from "../lib/islands/island.ts";
import { renderPage } from "../routes/render_page.tsx";
import * as registry from "../components/islands.ts";

Deno.test("island props - special values survive the round trip", () => {
  const value = {
    text: "</script><!-- \u2028",
    numbers: [1, -0, NaN, Infinity, -Infinity, 1.5],
    nothing: null,
    missing: undefined,
    big: 12345678901234567890n,
    when: new Date("2026-11-25T12:00:00.000Z"),
    map: new Map<unknown, unknown>([["a", 1], [2, { b: true }]]),
    set: new Set(["x", "y"]),
    nested: { deep: [[{ ok: "yes" }]] },
    lookalike: { type: "not a vnode", props: {} },
    proto: JSON.parse('{"__proto__": {"polluted": true}}'),
  };
  const revived = reviveProps<typeof value>(serializeProps(value));
  assert.deepEqual(revived, value);
  assert.ok(Object.is(revived.numbers[1], -0));
  assert.ok("missing" in revived);
});

Deno.test("island props - shared objects and cycles stay shared", () => {
  const shared = { n: 1 };
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const [a, b, c] = reviveProps<[typeof shared, typeof shared, typeof cyclic]>(
    serializeProps([shared, shared, cyclic]),
  );
  assert.equal(a, b);
  assert.equal(c.self, c);
  assert.equal(serializeProps([shared, shared]).split('"n"').length - 1, 1, "written once");
});

Deno.test("island props - one signal given to two islands is revived as one signal", () => {
  const count = signal(41);
  const [first, second] = reviveProps<{ count: Signal<number> }[]>(
    serializeProps([{ count }, { count, label: "second" }]),
  );
  assert.equal(first.count, second.count);
  assert.equal(first.count.value, 41);
  second.count.value++;
  assert.equal(first.count.value, 42);
});

Deno.test("island props - functions, class instances and JSX are refused with a path", () => {
  assert.throws(() => serializeProps([{ onClick: () => {} }]), /props\[0\]\.onClick is a function/);
  assert.throws(() => serializeProps([{ when: new URL("http://x") }]), /class instance/);
  assert.throws(() => serializeProps([{ slot: <b>hi</b> }]), /JSX/);
});

Deno.test("escapeForScript - the JSON cannot close its script element", () => {
  const escaped = escapeForScript(serializeProps(["</script><!--<script>"]));
  assert.doesNotMatch(escaped, /<\/script|<!--/i);
  assert.deepEqual(reviveProps(escaped), ["</script><!--<script>"]);
});

function Greeting({ name, count }: { name: string; count: Signal<number> }) {
  return <p class="greeting">Hello {name}: {count}</p>;
}
const GreetingIsland = island("Greeting", Greeting);

function Outer({ count }: { count: Signal<number> }) {
  return (
    <div>
      outer <GreetingIsland name="inner" count={count} />
    </div>
  );
}
const OuterIsland = island("Outer", Outer);

Deno.test("renderPage - marks each island, serialises props once, loads only what is used", () => {
  const count = signal(3);
  const html = renderPage({
    title: "Test",
    body: (
      <main>
        <GreetingIsland name="<Ada>" count={count} />
        <OuterIsland count={count} />
      </main>
    ),
  });
  assert.match(
    html,
    /<salon-island data-island="Greeting" data-props="0"><p class="greeting">Hello &lt;Ada>: 3<\/p><\/salon-island>/,
  );
  assert.match(html, /<salon-island data-island="Outer" data-props="1"><div>outer <p/);
  assert.equal(html.match(/<salon-island/g)?.length, 2, "an island inside an island is plain");
  const json =
    html.match(/<script type="application\/json" id="__salon_islands">(.*?)<\/script>/)![1];
  const props = reviveProps<{ name?: string; count: Signal<number> }[]>(json);
  assert.equal(props.length, 2);
  assert.equal(props[0].name, "<Ada>");
  assert.equal(props[0].count, props[1].count);
  assert.match(html, /<script type="module" src="\/build\/runtime\/boot.js"><\/script>/);
  assert.match(html, /<link rel="modulepreload" href="\/build\/Greeting.js"\/>/);
  assert.doesNotMatch(html, /<script>/, "no inline script");
});

Deno.test("renderPage - a page without islands loads no island code, only the theme script", () => {
  const html = renderPage({ title: "Plain", body: <p>static</p> });
  assert.deepEqual([...html.matchAll(/<script[^>]*>/g)].map(([tag]) => tag), [
    '<script src="/theme.js">',
  ]);
  assert.doesNotMatch(html, /boot\.js|modulepreload/);
});

Deno.test("island registry - every islands/*.tsx is registered under its file name", async () => {
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL("../islands/", import.meta.url))) {
    if (entry.isFile && entry.name.endsWith(".tsx")) files.push(entry.name.replace(".tsx", ""));
  }
  const registered = Object.entries(registry).map(([name, component]) => {
    assert.equal(component.displayName, `Island(${name})`);
    return name;
  });
  assert.deepEqual(registered.sort(), files.sort());
});

Deno.test("groupMessages - by author within 5 minutes, and never across a day", async () => {
  const { groupMessages } = await import("../islands/runtime/message_groups.ts");
  const author = (id: string) => ({ id, username: id, displayName: id, avatarUrl: "/a" });
  const message = (seq: number, who: string, at: string) => ({
    id: `m${seq}`,
    channelId: "c",
    seq,
    author: author(who),
    content: `${seq}`,
    createdAt: at,
    editedAt: null,
  });
  const groups = groupMessages([
    message(1, "a", "2026-01-01T23:55:00.000Z"),
    message(2, "a", "2026-01-01T23:58:00.000Z"),
    message(3, "a", "2026-01-02T00:01:00.000Z"), // same author, 3 minutes later, but a new day
    message(4, "b", "2026-01-02T00:02:00.000Z"),
    message(5, "b", "2026-01-02T00:20:00.000Z"), // same author, 18 minutes later
  ]);
  assert.deepEqual(groups.map((g) => g.messages.map((m) => m.seq)), [[1, 2], [3], [4], [5]]);
  assert.deepEqual(groups.map((g) => g.newDay), [true, true, false, false]);
});
