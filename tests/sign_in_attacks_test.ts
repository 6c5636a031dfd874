/**
 * Sign-in limits under attack (issue "Accounts people can trust", findings 1, 2 and 10), through
 * the real app on both stores. Addresses are told apart with TRUST_PROXY=127.0.0.1 and
 * X-Forwarded-For, as behind a real reverse proxy.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";

const PASSWORD = "correct horse";

function from(ip: string, json: unknown) {
  return { json, headers: { "X-Forwarded-For": ip } };
}

async function statuses(responses: Promise<Response>[]): Promise<number[]> {
  return await Promise.all(responses.map(async (answer) => {
    const response = await answer;
    await response.body?.cancel();
    return response.status;
  }));
}

appTest(
  "login limit - concurrent guesses cannot slip past it, the owner elsewhere still gets in",
  async (app) => {
    const owner = new HttpClient(app.url);
    await owner.request(
      "POST",
      "/api/auth/register",
      from("10.0.0.1", {
        username: "target",
        password: PASSWORD,
      }),
    );
    const attacker = new HttpClient(app.url);
    const guesses = Array.from({ length: 59 }, (_, i) =>
      attacker.request(
        "POST",
        "/api/auth/login",
        from("10.6.6.6", { username: "target", password: `guess number ${i}` }),
      ));
    const last = attacker.request(
      "POST",
      "/api/auth/login",
      from("10.6.6.6", { username: "target", password: PASSWORD }),
    );
    const answers = await statuses([...guesses, last]);
    // Some are also refused for too many at once from one address; never more than the free ones.
    const checked = answers.filter((status) => status === 401).length;
    assert.ok(checked >= 1 && checked <= 10, `${checked} passwords checked`);
    assert.equal(answers.at(-1), 429, "the right password sent last is throttled, not accepted");
    assert.ok(answers.every((status) => status === 401 || status === 429), String(answers));

    const mine = await owner.request(
      "POST",
      "/api/auth/login",
      from("10.0.0.1", { username: "target", password: PASSWORD }),
    );
    await mine.body?.cancel();
    assert.equal(mine.status, 200, "someone else's guesses do not lock the owner out");
  },
  { TRUST_PROXY: "127.0.0.1", LOGIN_RATE_LIMIT: "10" },
);

appTest(
  "register limit - 40 concurrent registrations from one address create only 20 accounts",
  async (app) => {
    const client = new HttpClient(app.url);
    const answers = await statuses(Array.from({ length: 40 }, (_, i) =>
      client.request(
        "POST",
        "/api/auth/register",
        from("10.1.1.1", { username: `burst${i}`, password: PASSWORD }),
      )));
    const created = answers.filter((status) => status === 201).length;
    assert.ok(created >= 1 && created <= 20, String(answers));
    assert.ok(answers.every((status) => status === 201 || status === 429), String(answers));
    // One at a time, the address gets exactly the rest of its 20, then the hourly limit.
    let more = 0;
    while (true) {
      const answer = await client.request(
        "POST",
        "/api/auth/register",
        from("10.1.1.1", { username: `later${more}`, password: PASSWORD }),
      );
      await answer.body?.cancel();
      if (answer.status !== 201) {
        assert.equal(answer.status, 429);
        assert.ok(Number(answer.headers.get("Retry-After")) > 60, "the hourly limit");
        break;
      }
      more++;
    }
    assert.equal(created + more, 20);
  },
  { TRUST_PROXY: "127.0.0.1", REGISTER_RATE_LIMIT: "20" },
);

appTest(
  "register - a flood of taken names is refused before hashing, counted, and bounded",
  async (app) => {
    const client = new HttpClient(app.url);
    await client.request(
      "POST",
      "/api/auth/register",
      from("10.2.2.1", {
        username: "taken",
        password: PASSWORD,
      }),
    );
    const long = "x".repeat(100);
    const answers = await statuses(Array.from({ length: 150 }, () =>
      client.request(
        "POST",
        "/api/auth/register",
        from("10.2.2.2", { username: "taken", password: long }),
      )));
    const refused = answers.filter((status) => status === 409).length;
    assert.ok(refused >= 1 && refused <= 20, `${refused} × 409: each one counted`);
    assert.equal(refused + answers.filter((status) => status === 429).length, 150);
    // Counted: the address's hourly budget is spent on them.
    let allowed = 0;
    while (allowed <= 20) {
      const answer = await client.request(
        "POST",
        "/api/auth/register",
        from("10.2.2.2", { username: "taken", password: long }),
      );
      await answer.body?.cancel();
      if (answer.status === 429) break;
      assert.equal(answer.status, 409);
      allowed++;
    }
    assert.equal(refused + allowed, 20);
    // A legitimate login from elsewhere is served (the flood never reached the password thread).
    const login = await client.request(
      "POST",
      "/api/auth/login",
      from("10.2.2.1", { username: "taken", password: PASSWORD }),
    );
    await login.body?.cancel();
    assert.equal(login.status, 200);
  },
  { TRUST_PROXY: "127.0.0.1", REGISTER_RATE_LIMIT: "20" },
);

appTest(
  "password work - one address gets at most a few hashes in flight; more get 429 at once",
  async (app) => {
    const client = new HttpClient(app.url);
    // Limits off for counting, so only the in-flight bound can refuse.
    const answers = await statuses(Array.from({ length: 30 }, (_, i) =>
      client.request(
        "POST",
        "/api/auth/register",
        from("10.3.3.3", { username: `parallel${i}`, password: PASSWORD }),
      )));
    assert.ok(answers.includes(429), `some are refused at once: ${answers}`);
    assert.ok(answers.filter((status) => status === 201).length >= 4, String(answers));
    assert.ok(answers.every((status) => status === 201 || status === 429), String(answers));
  },
  // Cost 10 (≈ 80 ms a hash) so that the jobs really overlap.
  { TRUST_PROXY: "127.0.0.1", REGISTER_RATE_LIMIT: "0", BCRYPT_COST: "10" },
);

appTest("X-Forwarded-For - ignored unless TRUST_PROXY lists the peer as a proxy", async (app) => {
  const client = new HttpClient(app.url);
  for (const ip of ["10.9.0.1", "10.9.0.2"]) {
    const answer = await client.request(
      "POST",
      "/api/auth/register",
      from(ip, { username: `spoof${ip.at(-1)}`, password: PASSWORD }),
    );
    await answer.body?.cancel();
    assert.equal(answer.status, 201);
  }
  const third = await client.request(
    "POST",
    "/api/auth/register",
    from("10.9.0.3", { username: "spoof3", password: PASSWORD }),
  );
  await third.body?.cancel();
  assert.equal(third.status, 429, "a made-up address does not buy a new budget");
}, { REGISTER_RATE_LIMIT: "2", TRUST_PROXY: "10.0.0.1" });
