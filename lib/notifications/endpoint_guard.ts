/**
 * Which push endpoints Salon will send to: a user gives the URL, so without a check a push would
 * be a request from the server to wherever they like (SSRF). An endpoint must be `https`, without
 * credentials, on a host whose every address (an IP literal, or each A and AAAA record) is public:
 * not loopback, private, link-local, shared (CGNAT), IPv6 unique-local, multicast, reserved or
 * documentation space, nor an IPv4 address inside an IPv6 one (mapped, NAT64, 6to4). Checked at
 * subscribe time and again before each send (DNS may have changed); the send does not follow
 * redirects. `PUSH_ALLOW_LOOPBACK=1` lifts the address and scheme rules for tests.
 */

/** Why an endpoint is refused (the message names the rule). */
export class EndpointRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EndpointRefused";
  }
}

/** Resolves a host name to its addresses (Deno.resolveDns by default; tests pass their own). */
export type Resolve = (hostname: string) => Promise<string[]>;

/** Both record types; a name with neither is refused. */
export const resolveDns: Resolve = async (hostname) => {
  const [a, aaaa] = await Promise.all([
    Deno.resolveDns(hostname, "A").catch(() => [] as string[]),
    Deno.resolveDns(hostname, "AAAA").catch(() => [] as string[]),
  ]);
  return [...a, ...aaaa];
};

/** IPv4 ranges that are not the public internet (RFC 6890 and the IANA special-purpose list). */
const PRIVATE_V4: [number, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
].map(([base, bits]) => [parseV4(base as string)!, bits as number]);

function parseV4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

function v4InRange(value: number, base: number, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(value / size) === Math.floor(base / size);
}

/** True if an IPv4 address (as a number) is not public. */
function privateV4(value: number): boolean {
  return PRIVATE_V4.some(([base, bits]) => v4InRange(value, base, bits));
}

/** The eight 16-bit groups of an IPv6 address, or null if it is not one. */
function parseV6(text: string): number[] | null {
  let address = text.replace(/^\[|\]$/g, "").toLowerCase();
  const zone = address.indexOf("%");
  if (zone >= 0) address = address.slice(0, zone);
  let tail: number[] = [];
  const lastColon = address.lastIndexOf(":");
  if (address.slice(lastColon + 1).includes(".")) {
    const v4 = parseV4(address.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    address = address.slice(0, lastColon + 1) + (tail.length ? "0:0" : "");
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const read = (part: string) => part === "" ? [] : part.split(":");
  const head = read(halves[0]);
  const rest = halves.length === 2 ? read(halves[1]) : [];
  const fill = 8 - head.length - rest.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return null;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...rest];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const values = groups.map((g) => parseInt(g, 16));
  if (tail.length) values.splice(6, 2, ...tail);
  return values;
}

/** True if an IPv6 address is not public (or hides a non-public IPv4 one). */
function privateV6(g: number[]): boolean {
  const v4 = (hi: number, lo: number) => privateV4(hi * 65536 + lo);
  if (g.every((x) => x === 0)) return true; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return true; // ::1
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4(g[6], g[7]); // mapped
  if (g.slice(0, 6).every((x) => x === 0)) return true; // IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b) return v4(g[6], g[7]) || g[2] !== 0; // NAT64
  if (g[0] === 0x2002) return v4(g[1], g[2]); // 6to4
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0] & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  if (g[0] === 0x2001 && g[1] < 0x200) return true; // 2001::/23 IETF protocol assignments
  if (g[0] === 0x0100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return true; // discard
  return false;
}

/** True if the text is an IP address that is not on the public internet; null: not an IP. */
export function isPrivateAddress(address: string): boolean | null {
  const v4 = parseV4(address);
  if (v4 !== null) return privateV4(v4);
  const v6 = parseV6(address);
  return v6 === null ? null : privateV6(v6);
}

export interface GuardOptions {
  /** PUSH_ALLOW_LOOPBACK=1: any scheme of http(s), any address. */
  allowLoopback: boolean;
  resolve?: Resolve;
}

/**
 * The endpoint as a URL if Salon may send to it; throws EndpointRefused saying why.
 *
 * @example
 * ```ts
 * await checkEndpoint("https://fcm.googleapis.com/fcm/send/abc", { allowLoopback: false });
 * await checkEndpoint("https://10.0.0.7/push", { allowLoopback: false }); // throws
 * ```
 */
export async function checkEndpoint(endpoint: string, options: GuardOptions): Promise<URL> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new EndpointRefused("endpoint must be an absolute URL.");
  }
  if (url.username !== "" || url.password !== "") {
    throw new EndpointRefused("endpoint must not carry credentials.");
  }
  if (options.allowLoopback) {
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new EndpointRefused(`endpoint must be http(s): got "${url.protocol}".`);
    }
    return url;
  }
  if (url.protocol !== "https:") {
    throw new EndpointRefused(`endpoint must be https: got "${url.protocol}".`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = isPrivateAddress(host);
  if (literal !== null) {
    if (literal) throw new EndpointRefused("endpoint must be on a public address.");
    return url;
  }
  if (host === "localhost" || host.endsWith(".localhost") || !host.includes(".")) {
    throw new EndpointRefused("endpoint must be on a public host name.");
  }
  const addresses = await (options.resolve ?? resolveDns)(host).catch(() => []);
  if (addresses.length === 0) {
    throw new EndpointRefused(`endpoint's host "${host}" does not resolve.`);
  }
  // Every address: a name with one public and one private record could go either way.
  if (addresses.some((address) => isPrivateAddress(address) !== false)) {
    throw new EndpointRefused("endpoint's host resolves to an address that is not public.");
  }
  return url;
}
