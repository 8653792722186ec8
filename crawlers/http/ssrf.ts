/**
 * SSRF guard. Crawled URLs come from configuration and from redirects chosen by remote servers, so every address we
 * connect to is checked: IP literals before any traffic, host names at connect time on the address the socket will
 * actually use (a DNS answer checked earlier could change before the connect: DNS rebinding).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';
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

/**
 * One entry of `allowedPrivateHosts` (env CRAWL_ALLOWED_PRIVATE_HOSTS), read: a private address is reachable only on
 * the ports named, since a host that serves a job board on one port may run Redis or an admin console on another.
 */
export interface PrivateOrigin {
  host: string;
  ports: readonly number[];
  /** Given when the entry is an origin (`http://host:port`): then only that scheme. */
  protocol?: 'http:' | 'https:';
}

/** A host without a port: the web's standard ports only. */
const DEFAULT_PORTS = [80, 443] as const;
const defaultPort = (protocol: string) => (protocol === 'https:' ? 443 : 80);
const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65_535;

/**
 * Reads `host:port`, `[v6]:port`, an origin `http(s)://host[:port]`, or a bare host (ports 80 and 443 only);
 * undefined for anything else.
 */
export function parsePrivateOrigin(entry: string): PrivateOrigin | undefined {
  const text = entry.trim().toLowerCase();
  if (/^https?:\/\//.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return undefined;
    const protocol = url.protocol as 'http:' | 'https:';
    return {
      host: normaliseHost(url.hostname),
      ports: [url.port ? Number(url.port) : defaultPort(protocol)],
      protocol,
    };
  }
  const withPort = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (withPort) {
    const port = Number(withPort[2]);
    return isPort(port) && withPort[1] ? { host: normaliseHost(withPort[1]), ports: [port] } : undefined;
  }
  const host = normaliseHost(text);
  return ipaddr.IPv6.isValid(host) || /^[a-z0-9.-]+$/.test(host) ? { host, ports: DEFAULT_PORTS } : undefined;
}

/** Where a connection goes: a URL, or undici's connect options (port '' for the scheme's default). */
export interface Target {
  protocol: string;
  hostname: string;
  port: string;
}

/** Whether `target` (host and effective port, and scheme for origin entries) is named in `allowedPrivateHosts`. */
export function isAllowedPrivateOrigin(target: Target, allowedPrivateHosts: readonly string[]): boolean {
  const host = normaliseHost(target.hostname);
  const port = target.port ? Number(target.port) : defaultPort(target.protocol);
  return allowedPrivateHosts.some((entry) => {
    const allowed = parsePrivateOrigin(entry);
    return (
      !!allowed &&
      allowed.host === host &&
      allowed.ports.includes(port) &&
      (!allowed.protocol || allowed.protocol === target.protocol)
    );
  });
}

/** Checks scheme and IP-literal hosts before any network traffic; host names are checked later, at connect time. */
export function assertUrlAllowed(url: URL, allowedPrivateHosts: readonly string[]): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CrawlError('ssrf_blocked', `scheme ${url.protocol} is not crawled`, url.href);
  }
  const host = normaliseHost(url.hostname);
  if (!ipaddr.isValid(host) || isAllowedPrivateOrigin(url, allowedPrivateHosts)) return;
  const verdict = classifyAddress(host);
  if (!verdict.allowed) {
    throw new CrawlError('ssrf_blocked', `address ${url.host} is ${verdict.range}, not public`, url.href);
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
 * public, so a host cannot mix a public and an internal address to slip through. It sees no port, so connections
 * to allowed private origins do not use it (`createGuardedConnector` decides).
 */
export function createGuardedLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const blocked = list.find((entry) => !classifyAddress(entry.address).allowed);
      if (blocked) {
        const range = classifyAddress(blocked.address).range;
        return callback(new SsrfBlockedError(`${hostname} resolves to ${blocked.address} (${range})`), []);
      }
      if (list.length === 0)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/**
 * undici's connector with the guard inside: every connection (each redirect hop, each retry) is decided on its host
 * and port. An allowed private origin connects without the guard; an IP literal (which no lookup sees) must be
 * public; a host name goes through the guarded lookup, so the address checked is the address connected to.
 */
export function createGuardedConnector(
  allowedPrivateHosts: readonly string[],
  connectOptions: buildConnector.BuildOptions,
  resolve: typeof dnsLookup = dnsLookup,
): buildConnector.connector {
  const exempt = buildConnector(connectOptions);
  const guarded = buildConnector({ ...connectOptions, lookup: createGuardedLookup(resolve) as never });
  return function guardedConnect(options, callback) {
    if (isAllowedPrivateOrigin(options, allowedPrivateHosts)) return exempt(options, callback);
    const host = normaliseHost(options.hostname);
    if (ipaddr.isValid(host) && !classifyAddress(host).allowed) {
      const port = options.port || String(defaultPort(options.protocol));
      return callback(
        new SsrfBlockedError(`${host} port ${port} is ${classifyAddress(host).range}, not allowed`),
        null,
      );
    }
    return guarded(options, callback);
  };
}
