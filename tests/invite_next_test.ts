/** routes/invite_next.ts: the invite code of a register form's `next`. */
import assert from "node:assert/strict";
import { inviteCodeFromNext, invitePath } from "../routes/invite_next.ts";

Deno.test("inviteCodeFromNext - the code of an invite page's path, decoded", () => {
  assert.equal(inviteCodeFromNext("/invite/abc123"), "abc123");
  assert.equal(inviteCodeFromNext(invitePath("a b/c")), "a b/c");
});

Deno.test("inviteCodeFromNext - anything else has no code", () => {
  for (
    const next of [
      undefined,
      "/chat",
      "/invite/",
      "/invite/abc/join",
      "/invite/abc?x=1",
      "/invite/%E0%A4%A",
    ]
  ) {
    assert.equal(inviteCodeFromNext(next), undefined, String(next));
  }
});
