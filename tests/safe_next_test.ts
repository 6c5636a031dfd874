/** `?next=` after login (issue "Accounts people can trust", finding 3): same origin only. */
import assert from "node:assert/strict";
import { safeNext } from "../routes/safe_next.ts";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";

Deno.test("safeNext - keeps paths of this site with their query and fragment", () => {
  assert.equal(safeNext("/invite/abc"), "/invite/abc");
  assert.equal(safeNext("/chat/s/c?m=12#x"), "/chat/s/c?m=12#x");
  assert.equal(safeNext("/a/../chat"), "/chat");
});

Deno.test("safeNext - refuses every spelling of another host, and control characters", () => {
  for (
    const next of [
      "//evil.example/x",
      "/\\evil.example",
      "/\t/127.0.0.2:8399/phish",
      "/\n/evil.example",
      "/\r\nSet-Cookie:x=1",
      "/.//evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "evil",
      "",
      undefined,
    ]
  ) {
    assert.equal(safeNext(next), "/chat", JSON.stringify(next));
  }
});

appTest(
  "login ?next= - signed in, a tab or CRLF trick redirects home, never away or 500",
  async (app) => {
    const client = new HttpClient(app.url);
    await client.request("POST", "/api/auth/register", {
      json: { username: "redirected", password: "correct horse" },
    });
    for (const next of ["/%09/127.0.0.2:8399/phish", "/%0d%0aSet-Cookie:x=1", "/%5C%5Cevil"]) {
      const response = await client.request("GET", `/login?next=${next}`);
      await response.body?.cancel();
      assert.equal(response.status, 303, next);
      assert.equal(response.headers.get("Location"), "/chat", next);
      assert.equal(response.headers.get("Set-Cookie"), null);
    }
    const fine = await client.request("GET", `/login?next=${encodeURIComponent("/profile")}`);
    await fine.body?.cancel();
    assert.equal(fine.headers.get("Location"), "/profile");
  },
);
