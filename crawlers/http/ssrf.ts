/**
 * SSRF guard. Crawled URLs come from configuration and from redirects chosen by remote servers, so every address we
 * connect to is checked: IP literals before any traffic, host names at connect time on the address the socket will
 * actually use (a DNS answer checked earlier could change before the connect: DNS rebinding).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { CrawlError, SsrfBlockedError } from './errors.ts';

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name after unwrapping IPv4-mapped IPv6, e.g. "private", "loopback", "unicast". */
  range: string;
}

/**
 * Only globally routable unicast passes. Everything else (private, loopback, link-local incl. cloud metadata,
 * unique-local, multicast, unspecified, CGNAT, reserved, and IPv6 transition ranges that embed an arbitrary IPv4
 * address such as 6to4, Teredo and NAT64) is refused, because it may reach the job centre's internal network.
 */
export function classifyAddress(address: string): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'invalid' };
  const range = ipaddr.process(address).range();
  return { allowed: range === 'unicast', range };
}

export function normaliseHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function isAllowedPrivateHost(hostname: string, allowedPrivateHosts: readonly string[]): boolean {
  const host = normaliseHost(hostname);
  return allowedPrivateHosts.some((allowed) => normaliseHost(allowed) === host);
}

/** Checks scheme and IP-literal hosts before any network traffic; host names are checked later, at connect time. */
export function assertUrlAllowed(url: URL, allowedPrivateHosts: readonly string[]): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CrawlError('ssrf_blocked', `scheme ${url.protocol} is not crawled`, url.href);
  }
  const host = normaliseHost(url.hostname);
  if (!ipaddr.isValid(host) || isAllowedPrivateHost(host, allowedPrivateHosts)) return;
  const verdict = classifyAddress(host);
  if (!verdict.allowed) {
    throw new CrawlError('ssrf_blocked', `address ${host} is ${verdict.range}, not public`, url.href);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type LookupFunction = (
  hostname: string,
  options: LookupOneOptions | LookupAllOptions,
  callback: LookupCallback,
) => void;

/**
 * A `lookup` for net/tls connect options: resolves all addresses and refuses the connection if any of them is not
 * public, so a host cannot mix a public and an internal address to slip through.
 */
export function createGuardedLookup(
  allowedPrivateHosts: readonly string[],
  resolve: typeof dnsLookup = dnsLookup,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      if (!isAllowedPrivateHost(hostname, allowedPrivateHosts)) {
        const blocked = list.find((entry) => !classifyAddress(entry.address).allowed);
        if (blocked) {
          const range = classifyAddress(blocked.address).range;
          return callback(new SsrfBlockedError(`${hostname} resolves to ${blocked.address} (${range})`), []);
        }
      }
      if (list.length === 0)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}
