/**
 * Attachments in a real browser (issue 16): `Attach files` (the file chooser) with a tray of
 * uploads, each with its progress and Cancel; Send disabled until they finish; the other
 * member sees the image in a box of its final size before it loads (its placeholder behind)
 * and a file card with a Download link; paste and drop; a file over ATTACHMENT_MAX_BYTES named
 * in its error; the lightbox (←/→, Esc, focus back); the page's scripts in budget with 20
 * images, the upload and lightbox code loaded only when used; a phone's 390 px.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { deflateSync } from "node:zlib";
import type { Page, Route } from "playwright-core";
import { socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";

const NO_LIMITS = { RATE_LIMITS: "off" };
/** The chat page's JavaScript budget (tests/conversation_browser_test.ts). */
const JS_BUDGET_GZIP_BYTES = 40 * 1024;

/** A real, compressed PNG of w×h pixels in one colour. */
function png(w: number, h: number, [r, g, b]: [number, number, number]): Uint8Array<ArrayBuffer> {
  const row = new Uint8Array(1 + w * 3);
  for (let x = 0; x < w; x++) row.set([r, g, b], 1 + x * 3);
  const raw = new Uint8Array(row.length * h);
  for (let y = 0; y < h; y++) raw.set(row, y * row.length);
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, w);
  new DataView(header.buffer).setUint32(4, h);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return concat([
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(deflateSync(raw))),
    chunk("IEND", new Uint8Array()),
  ]);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat([new TextEncoder().encode(type), data]);
  const out = new Uint8Array(8 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(body, 4);
  view.setUint32(8 + data.length, crc32(body));
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) (out.set(part, at), at += part.length);
  return out;
}

const PHOTO = png(800, 600, [200, 60, 40]);
const TALL = png(300, 900, [40, 90, 200]);

/** A file for the page's file chooser. */
const file = (name: string, mimeType: string, bytes: Uint8Array | string) => ({
  name,
  mimeType,
  buffer: Buffer.from(bytes),
});

/** Uploads a file as `who` (the API, not the page). */
async function upload(
  who: Person,
  channelId: string,
  name: string,
  type: string,
  bytes: Uint8Array<ArrayBuffer>,
) {
  const { status, body } = await who.http.json<{ attachment: { id: string } }>(
    "POST",
    `/api/channels/${channelId}/attachments?filename=${encodeURIComponent(name)}`,
    { body: bytes, headers: { "Content-Type": type } },
  );
  assert.equal(status, 201, JSON.stringify(body));
  return body.attachment.id;
}

async function post(who: Person, channelId: string, content: string, attachments: string[]) {
  const { status, body } = await who.http.json("POST", `/api/channels/${channelId}/messages`, {
    json: { content, attachments },
  });
  assert.equal(status, 201, JSON.stringify(body));
}

/** Holds every request matching `pattern` until `release()` (then they go on as usual). */
async function hold(page: Page, pattern: string) {
  const held: Route[] = [];
  let open = false;
  await page.route(pattern, (route) => open ? route.continue() : void held.push(route));
  return {
    count: () => held.length,
    release: async () => {
      open = true;
      await Promise.all(held.splice(0).map((route) => route.continue()));
    },
  };
}

/** Resolves once the composer's tray is gone (its message sent); throws the composer's alert. */
async function traySent(page: Page) {
  const alert = page.locator("form [role=alert]");
  await Promise.race([
    page.getByTestId("attachment-tray").waitFor({ state: "detached" }),
    alert.waitFor().then(async () => {
      throw new Error(`not sent: ${await alert.textContent()}`);
    }),
  ]);
}

/** The size an element takes on screen. */
const boxOf = (page: Page, selector: string) =>
  page.locator(selector).first().evaluate((node) => {
    const rect = node.getBoundingClientRect();
    return { width: Math.round(rect.width), height: Math.round(rect.height) };
  });

/** Bytes of scripts the page has fetched (gzip, as sent). */
const scriptBytes = (page: Page) =>
  page.evaluate(() =>
    (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
      .filter((entry) => /\.js(\?|$)/.test(entry.name))
      .reduce((sum, entry) => sum + entry.encodedBodySize, 0)
  );

browserTest(
  "attachments - two files from Attach files: progress, Send waits, the other sees box and card",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    const url = `${app.url}/chat/${serverId}/${channelId}`;
    const sender = await pageAs(member);
    const reader = await pageAs(owner);
    const problems = watchProblems(sender);
    const fetched: string[] = [];
    sender.on("request", (request) => fetched.push(request.url()));
    await sender.goto(url);
    await reader.goto(url);
    await socketReady(sender);
    await socketReady(reader);
    assert.equal(fetched.filter((u) => /composer_files|Lightbox/.test(u)).length, 0);

    // The uploads are held on their way: the tray shows them in progress, Send waits.
    const uploads = await hold(sender, "**/api/channels/*/attachments*");
    const [chooser] = await Promise.all([
      sender.waitForEvent("filechooser"),
      sender.getByRole("button", { name: "Attach files" }).click(),
    ]);
    assert.equal(chooser.isMultiple(), true);
    await chooser.setFiles([
      file("photo.png", "image/png", PHOTO),
      file("notes.txt", "text/plain", "hello\n"),
    ]);
    const tray = sender.getByRole("list", { name: "Files to send" });
    await tray.getByRole("progressbar", { name: "Uploading photo.png" }).waitFor();
    await tray.getByRole("progressbar", { name: "Uploading notes.txt" }).waitFor();
    await sender.getByText("Waiting for uploads to finish before sending…").waitFor();
    const send = sender.getByRole("button", { name: "Send" });
    assert.equal(await send.isDisabled(), true, "Send waits for the uploads");
    await sender.waitForFunction(() =>
      document.querySelectorAll("[data-testid=attachment-tray] [data-status=uploading]").length ===
        2
    );
    await uploads.release();
    await sender.waitForFunction(() =>
      document.querySelectorAll("[data-testid=attachment-tray] [data-status=done]").length === 2
    );
    for (const name of ["photo.png", "notes.txt"]) {
      const bar = tray.getByRole("progressbar", { name: `Uploading ${name}` });
      assert.equal(await bar.getAttribute("aria-valuenow"), "100", name);
    }
    assert.equal(await send.isDisabled(), false);

    // The reader's image requests are held: the box is at its final size before it loads.
    const images = await hold(reader, "**/files/**");
    const composer = sender.getByRole("textbox", { name: "Message #general" });
    await composer.fill("two files");
    await send.click();
    await traySent(sender);
    const row = reader.locator("[data-message-id]", { hasText: "two files" });
    await row.locator("[data-image-box]").waitFor();
    assert.deepEqual(await boxOf(reader, "[data-image-box]"), { width: 400, height: 300 });
    // A live message: the browser drew its placeholder (the decoder loaded for it).
    await row.locator("img[data-placeholder][src^='data:image/png']").waitFor();
    const img = row.getByRole("img", { name: "photo.png" });
    assert.equal(await img.evaluate((node) => (node as HTMLImageElement).naturalWidth), 0);
    assert.equal(await img.getAttribute("loading"), "lazy");
    assert.equal(await img.getAttribute("width"), "400");
    const card = row.locator("[data-file-card]");
    await card.getByText("notes.txt").waitFor();
    await card.getByText("6 B").waitFor();
    const download = card.getByRole("link", { name: "Download notes.txt" });
    assert.equal(await download.getAttribute("download"), "notes.txt");
    assert.match((await download.getAttribute("href"))!, /^\/files\/[^/]+\/notes\.txt$/);
    // Released, the image loads into the same box.
    await images.release();
    await reader.waitForFunction(() => {
      const node = document.querySelector(
        "[data-image-box] img:not([data-placeholder])",
      ) as HTMLImageElement | null;
      return !!node && node.complete && node.naturalWidth > 0;
    });
    assert.deepEqual(await boxOf(reader, "[data-image-box]"), { width: 400, height: 300 });
    // The sender sees it too (the socket brings it, as every message).
    await sender.locator("[data-message-id]", { hasText: "two files" }).locator("[data-file-card]")
      .waitFor();
    assert.deepEqual(problems, []);
  },
);

browserTest(
  "attachments - paste and drop add files; an image alone is a message",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, member } = await room(app);
    const page = await pageAs(member);
    const problems = watchProblems(page);
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    const composer = page.getByRole("textbox", { name: "Message #general" });
    await composer.evaluate((node, bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], "pasted.png", { type: "image/png" }));
      node.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, [...TALL]);
    const tray = page.getByRole("list", { name: "Files to send" });
    await tray.locator("[data-status=done]", { hasText: "pasted.png" }).waitFor();
    // Dropped on the message list.
    await page.getByTestId("message-list").evaluate((node) => {
      const data = new DataTransfer();
      data.items.add(new File(["a,b\n1,2\n"], "table.csv", { type: "text/csv" }));
      for (const type of ["dragenter", "dragover", "drop"]) {
        node.dispatchEvent(
          new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
        );
      }
    });
    await tray.locator("[data-status=done]", { hasText: "table.csv" }).waitFor();
    // No text: the files alone are the message (Enter sends).
    await composer.press("Enter");
    await traySent(page);
    const row = page.locator("[data-message-id]").filter({ has: page.locator("[data-image-box]") });
    // 300×900 fits 400×300 as 100×300.
    const pasted = row.getByRole("img", { name: "pasted.png" });
    await pasted.waitFor();
    assert.equal(await pasted.getAttribute("width"), "100");
    assert.equal(await pasted.getAttribute("height"), "300");
    // Loaded, the thumbnail's own ratio may round a pixel differently (133×400 → 100×300.75).
    const box = await boxOf(page, "[data-image-box]");
    assert.ok(box.width === 100 && Math.abs(box.height - 300) <= 1, JSON.stringify(box));
    await row.getByRole("link", { name: "Download table.csv" }).waitFor();
    assert.deepEqual(problems, []);
  },
);

browserTest(
  "attachments - Cancel stops an upload; a file over the cap is named in its error",
  { env: { ...NO_LIMITS, ATTACHMENT_MAX_BYTES: "4096" } },
  async ({ app, pageAs }) => {
    const { serverId, channelId, member } = await room(app);
    const page = await pageAs(member);
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    const input = page.getByTestId("attach-input");
    const tray = page.getByRole("list", { name: "Files to send" });

    // Held on its way, then cancelled: gone from the tray, Send free again.
    const uploads = await hold(page, "**/api/channels/*/attachments*");
    await input.setInputFiles(file("slow.txt", "text/plain", new Uint8Array(10)));
    await tray.getByRole("progressbar", { name: "Uploading slow.txt" }).waitFor();
    const send = page.getByRole("button", { name: "Send" });
    assert.equal(await send.isDisabled(), true);
    await tray.getByRole("button", { name: "Cancel slow.txt" }).click();
    await tray.waitFor({ state: "detached" });
    assert.equal(await send.isDisabled(), false);
    await page.unroute("**/api/channels/*/attachments*");
    await uploads.release().catch(() => {}); // the aborted request may be gone already

    // Over the 4 KiB cap: the server's 413, in words naming the file.
    await input.setInputFiles(file("big.bin", "application/octet-stream", new Uint8Array(20_000)));
    const failed = tray.locator("[data-status=failed]", { hasText: "big.bin" });
    await failed.waitFor();
    await failed.getByText("big.bin is larger than 4 KiB.").waitFor();
    // A finished one is removed by its button (Remove), the failed one too.
    await input.setInputFiles(file("small.txt", "text/plain", new Uint8Array(5)));
    await tray.locator("[data-status=done]", { hasText: "small.txt" }).waitFor();
    await tray.getByRole("button", { name: "Remove small.txt" }).click();
    await tray.getByRole("button", { name: "Remove big.bin" }).click();
    await tray.waitFor({ state: "detached" });
  },
);

browserTest(
  "attachments - 20 images in 50 messages: boxes sized, scripts in budget; the lightbox",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    for (let i = 1; i <= 50; i++) {
      const files = i % 5 < 2
        ? [await upload(owner, channelId, `image-${i}.png`, "image/png", i % 2 ? PHOTO : TALL)]
        : [];
      await post(owner, channelId, `message ${i}`, files);
    }
    const first = await upload(owner, channelId, "first.png", "image/png", PHOTO);
    const second = await upload(owner, channelId, "second.png", "image/png", TALL);
    await post(owner, channelId, "two images", [first, second]);

    const page = await pageAs(member);
    const problems = watchProblems(page);
    const fetched: string[] = [];
    page.on("request", (request) => fetched.push(request.url()));
    // No image loads while the page is measured: every box holds its place before.
    const images = await hold(page, "**/files/**");
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    const boxes = await page.locator("[data-image-box]").evaluateAll((nodes) =>
      nodes.map((node) => {
        const rect = node.getBoundingClientRect();
        const img = node.querySelector("img:not([data-placeholder])") as HTMLImageElement;
        const placeholder = node.querySelector("img[data-placeholder]") as HTMLImageElement | null;
        return {
          size: `${Math.round(rect.width)}×${Math.round(rect.height)}`,
          loaded: img.naturalWidth > 0,
          // Drawn (a data URL the page's policy allows) and filling the box.
          placeholder: !!placeholder?.complete && placeholder.naturalWidth > 0 &&
            Math.round(placeholder.getBoundingClientRect().width) === Math.round(rect.width),
        };
      })
    );
    assert.ok(boxes.length >= 20, `${boxes.length} images`);
    for (const box of boxes) {
      assert.ok(["400×300", "100×300"].includes(box.size), JSON.stringify(boxes));
      assert.equal(box.loaded, false);
      assert.equal(box.placeholder, true, "the page's HTML drew its placeholder");
    }
    const scripts = await scriptBytes(page);
    assert.ok(scripts > 0 && scripts <= JS_BUDGET_GZIP_BYTES, `${scripts} bytes of scripts`);
    console.log(`first load with 20 images: ${scripts} bytes of scripts (gzip)`);
    assert.equal(
      fetched.filter((u) => /composer_files|Lightbox|placeholder_decode/.test(u)).length,
      0,
      "neither the upload, the lightbox nor the decoder code is in the first load",
    );
    await images.release();

    // The lightbox: full size, its name and Download; → and ← move; Esc closes, focus back.
    const row = page.locator("[data-message-id]", { hasText: "two images" });
    const opener = row.getByRole("link", { name: "first.png" });
    await opener.click();
    const dialog = page.getByRole("dialog", { name: "first.png" });
    await dialog.waitFor();
    assert.match(
      (await dialog.getByRole("link", { name: "Download" }).getAttribute("href"))!,
      /first\.png$/,
    );
    await dialog.getByRole("img", { name: "first.png" }).waitFor();
    await page.keyboard.press("ArrowRight");
    await page.getByRole("dialog", { name: "second.png" }).getByText("2 of 2").waitFor();
    await page.keyboard.press("ArrowRight");
    await page.getByRole("dialog", { name: "first.png" }).waitFor();
    await page.keyboard.press("ArrowLeft");
    await page.getByRole("dialog", { name: "second.png" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    assert.equal(
      await opener.evaluate((node) => node === document.activeElement),
      true,
      "focus is back on the image that opened it",
    );
    assert.deepEqual(problems, []);
  },
);

browserTest(
  "attachments - on a phone (390 px) the tray and the lightbox fit",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    const id = await upload(owner, channelId, "wide.png", "image/png", PHOTO);
    await post(owner, channelId, "on a phone", [id]);
    const page = await pageAs(member, {
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    const sideways = () => page.evaluate(() => document.scrollingElement!.scrollWidth > innerWidth);
    // The image's box narrows with the screen, keeping its ratio.
    const box = await boxOf(page, "[data-image-box]");
    assert.ok(
      box.width <= 390 - 32 && Math.abs(box.width / box.height - 4 / 3) < 0.02,
      `${box.width}×${box.height}`,
    );
    await page.getByTestId("attach-input").setInputFiles(
      file(
        "a-file-with-a-rather-long-name-for-a-phone-screen.txt",
        "text/plain",
        new Uint8Array(100),
      ),
    );
    await page.locator("[data-testid=attachment-tray] [data-status=done]").waitFor();
    assert.equal(await sideways(), false, "the tray does not scroll sideways");
    await page.getByRole("link", { name: "wide.png" }).click();
    const dialog = page.getByRole("dialog", { name: "wide.png" });
    await dialog.waitFor();
    const shown = await dialog.getByRole("img", { name: "wide.png" }).evaluate((node) => {
      const rect = node.getBoundingClientRect();
      return rect.left >= 0 && rect.right <= innerWidth;
    });
    assert.equal(shown, true, "the full image fits the screen");
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "detached" });
  },
);
