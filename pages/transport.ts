/**
 * Whether the browser reached us over HTTPS, which decides the session cookie's name and Secure flag. Behind the
 * TLS-terminating proxy the socket speaks plain HTTP, so `X-Forwarded-Proto` is believed, but only from a trusted
 * proxy (`TRUST_PROXY`, the same list api/middleware/client-address.ts uses): anyone else could claim HTTPS.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import ipaddr from 'ipaddr.js';
import { inNetworks, type NetworkPolicy, parseNetworks } from '../api/middleware/client-address.ts';

export interface TransportVariables {
  httpsRequest: boolean;
}

function socketPeer(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

function fromTrustedProxy(peer: string | undefined, trusted: ReturnType<typeof parseNetworks>): boolean {
  if (!peer || trusted.length === 0 || !ipaddr.isValid(peer)) return false;
  let address = ipaddr.parse(peer);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  return inNetworks(address, trusted);
}

/** Decides once per request; installed before every page route (pages/staff/index.tsx). */
export function transport(policy: NetworkPolicy = {}): MiddlewareHandler<{ Variables: TransportVariables }> {
  const trusted = parseNetworks(policy.trustProxy ?? []);
  return async function resolveTransport(c, next) {
    let https = new URL(c.req.url).protocol === 'https:';
    if (!https && fromTrustedProxy(socketPeer(c), trusted)) {
      // The nearest proxy's claim counts: it is the one that spoke to the browser or to the next trusted hop.
      const claimed = c.req.header('x-forwarded-proto')?.split(',').at(-1)?.trim().toLowerCase();
      https = claimed === 'https';
    }
    c.set('httpsRequest', https);
    await next();
  };
}

/** Where {@link transport} did not run, only the request's own scheme counts (never a forwarded header). */
export function isHttpsRequest(c: Context): boolean {
  const decided = c.get('httpsRequest') as boolean | undefined;
  return decided ?? new URL(c.req.url).protocol === 'https:';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Plain HTTP is tolerated on this machine only (development, the browser tests); anywhere else cookies need TLS. */
export function isLoopbackHost(c: Context): boolean {
  return LOOPBACK_HOSTS.has(new URL(c.req.url).hostname.toLowerCase());
}
