/** The account settings of lib/config.ts: REGISTRATION and SECURITY_LOG. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../lib/config.ts";

Deno.test("loadConfig - REGISTRATION defaults to open and takes open, invite, closed", () => {
  assert.equal(loadConfig({}).registration, "open");
  for (const mode of ["open", "invite", "closed"] as const) {
    assert.equal(loadConfig({ REGISTRATION: mode }).registration, mode);
  }
});

Deno.test("loadConfig - a bad REGISTRATION names the variable, the rule and the value", () => {
  assert.throws(
    () => loadConfig({ REGISTRATION: "invites" }),
    new ConfigError('Invalid REGISTRATION: it must be open, invite or closed: got "invites"'),
  );
});

Deno.test("loadConfig - SECURITY_LOG is stderr by default, or off, or a file", async () => {
  assert.equal(loadConfig({}).securityLog, "stderr");
  assert.equal(loadConfig({ SECURITY_LOG: "off" }).securityLog, "off");
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/security.log`;
    assert.equal(loadConfig({ SECURITY_LOG: path }).securityLog, path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfig - SECURITY_LOG in a missing directory, or a directory, is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const bad of [`${dir}/missing/security.log`, dir, `${dir}/`]) {
      assert.throws(
        () => loadConfig({ SECURITY_LOG: bad }),
        new ConfigError(
          `Invalid SECURITY_LOG: it must be stderr, off, or a file path in an existing directory: got "${bad}"`,
        ),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
