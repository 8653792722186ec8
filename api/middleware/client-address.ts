/**
 * Who is asking, as far as the network can tell: the one place that decides a request's client address and whether
 * it comes from a kiosk PC. The public rate limit (api/v1.ts) and the failed-auth throttle (./auth.ts) both key on
 * `clientAddress(c)`.
 *
 * `X-Forwarded-For` is read only when the socket peer is one of the trusted proxies (`TRUST_PROXY`): anyone else could
 * write any address into it and so choose their own rate-limit bucket (ASVS 4.1.3). The header is walked from the
 * right, since each proxy appends the address it saw; the first hop that is not a trusted proxy is the client.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type Network = [Address, number];

/** The header a kiosk PC may send its shared kiosk token in (never a user's sign-in token). */
export const KIOSK_TOKEN_HEADER = 'x-kiosk-token';

export interface NetworkPolicy {
  /** Addresses or CIDRs of the reverse proxies whose `X-Forwarded-For` is believed. @defaultValue none */
  trustProxy?: readonly string[];
  /** Addresses or CIDRs of the kiosk PCs, which get the kiosk budget. @defaultValue none */
  kioskNetworks?: readonly string[];
  /** A shared secret a kiosk PC may send in `X-Kiosk-Token` instead of coming from a kiosk network. */
  kioskToken?: string;
}

export interface ClientInfo {
  /** Canonical form (IPv4-mapped IPv6 as IPv4); undefined for an in-process request, which has no socket. */
  address: string | undefined;
  kiosk: boolean;
}

export interface ClientVariables {
  client: ClientInfo;
}

/** Whether `value` is an address or a CIDR that {@link parseNetworks} accepts; for the configuration's check. */
export function isNetwork(value: string): boolean {
  return ipaddr.isValidCIDR(value) || ipaddr.isValid(value);
}

/** Addresses and CIDRs; a bare address is a network of one. Throws on anything else (the configuration checks first). */
export function parseNetworks(list: readonly string[]): Network[] {
  return list.map((entry) => {
    if (entry.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(entry);
      const v4 = normalised(address);
      // An IPv4-mapped range (::ffff:10.0.0.0/104) means the IPv4 range, as peers are normalised the same way.
      return v4 !== address && bits >= 96 ? [v4, bits - 96] : [address, bits];
    }
    const address = normalised(ipaddr.parse(entry));
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  });
}

/** `::ffff:10.0.0.1` is `10.0.0.1`: a dual-stack socket reports IPv4 peers that way. */
function normalised(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/**
 * Addresses already parsed, by their text. Every request parses its peer, its forwarded hops and the result (several
 * ipaddr.js parses each, a few µs apiece), while a server sees the same few proxies and clients again and again.
 * Bounded in entries and in key length (no address is longer), and emptied when full, so whatever clients send, it
 * stays small; the parsed objects are never changed, so sharing them is safe.
 */
const parsedByText = new Map<string, Address | null>();
const PARSED_CACHE_ENTRIES = 10_000;
const LONGEST_ADDRESS_TEXT = 64;

function parsed(text: string): Address | undefined {
  const trimmed = text.trim();
  const known = parsedByText.get(trimmed);
  if (known !== undefined) return known ?? undefined;
  const address = ipaddr.isValid(trimmed) ? normalised(ipaddr.parse(trimmed)) : null;
  if (trimmed.length <= LONGEST_ADDRESS_TEXT) {
    if (parsedByText.size >= PARSED_CACHE_ENTRIES) parsedByText.clear();
    parsedByText.set(trimmed, address);
  }
  return address ?? undefined;
}

export function inNetworks(address: Address, networks: readonly Network[]): boolean {
  return networks.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits));
}

/** The TCP peer, or undefined for an in-process request (tests), which carries no socket. */
function socketPeer(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/**
 * The client address by the trusted proxies: the socket peer, unless it is a trusted proxy; then the rightmost
 * `X-Forwarded-For` entry that is not one. A malformed entry ends the walk at the last proxy that vouched for it.
 */
export function resolveClientAddress(
  peerText: string | undefined,
  forwardedFor: string | undefined,
  trusted: readonly Network[],
): string | undefined {
  if (peerText === undefined) return undefined;
  let current = parsed(peerText);
  if (!current) return peerText;
  if (trusted.length === 0 || !inNetworks(current, trusted) || !forwardedFor) return current.toString();
  const hops = forwardedFor.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parsed(hops[i] ?? '');
    if (!hop) break;
    current = hop;
    if (!inNetworks(hop, trusted)) break;
  }
  return current.toString();
}

/** Constant-time comparison through hashes, so neither the length nor a prefix of the token leaks. */
function sameSecret(given: string, expected: string): boolean {
  const hash = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(hash(given), hash(expected));
}

/** Resolves the client once per request and puts it on the context for the limiters. */
export function clientNetwork(policy: NetworkPolicy = {}): MiddlewareHandler<{ Variables: ClientVariables }> {
  const trusted = parseNetworks(policy.trustProxy ?? []);
  const kioskNetworks = parseNetworks(policy.kioskNetworks ?? []);
  const { kioskToken } = policy;
  return async function resolveClient(c, next) {
    const address = resolveClientAddress(socketPeer(c), c.req.header('x-forwarded-for'), trusted);
    const parsedAddress = address === undefined ? undefined : parsed(address);
    const token = c.req.header(KIOSK_TOKEN_HEADER);
    const kiosk =
      (parsedAddress !== undefined && inNetworks(parsedAddress, kioskNetworks)) ||
      (kioskToken !== undefined && token !== undefined && sameSecret(token, kioskToken));
    c.set('client', { address, kiosk });
    await next();
  };
}

/**
 * The client's address as {@link clientNetwork} resolved it. Where that middleware did not run (an audience app
 * tested on its own), the socket peer: never a forwarded header, so the fallback cannot be forged.
 */
export function clientAddress(c: Context): string | undefined {
  const client = c.get('client') as ClientInfo | undefined;
  if (client) return client.address;
  const peer = socketPeer(c);
  return peer === undefined ? undefined : (parsed(peer)?.toString() ?? peer);
}

/** Whether the request gets the kiosk budget; false where {@link clientNetwork} did not run. */
export function isKiosk(c: Context): boolean {
  return (c.get('client') as ClientInfo | undefined)?.kiosk ?? false;
}
