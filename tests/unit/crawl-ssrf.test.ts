import { describe, expect, it } from 'vitest';
import { assertUrlAllowed, classifyAddress, createGuardedLookup } from '../../crawlers/http/ssrf.ts';

describe('classifyAddress', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['2002:a00:1::', '6to4'],
    ['64:ff9b::a00:1', 'rfc6052'],
  ])('refuses %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ allowed: false, range });
  });

  it.each(['93.184.216.34', '2a00:1450:4001:81c::200e', '::ffff:93.184.216.34'])('allows public %s', (address) => {
    expect(classifyAddress(address).allowed).toBe(true);
  });

  it('refuses what is not an address', () => {
    expect(classifyAddress('nicht-ip').allowed).toBe(false);
  });
});

describe('assertUrlAllowed', () => {
  it('refuses private IP literals and non-http schemes before any traffic', () => {
    for (const url of [
      'http://10.0.0.1/',
      'http://[::1]:8080/',
      'http://[::ffff:7f00:1]/',
      'ftp://beispiel.example/',
      'file:///etc/passwd',
    ]) {
      expect(() => assertUrlAllowed(new URL(url), [])).toThrow(expect.objectContaining({ kind: 'ssrf_blocked' }));
    }
  });

  it('passes host names (checked at connect time) and allowed private hosts', () => {
    expect(() => assertUrlAllowed(new URL('https://stellen.beispiel.example/'), [])).not.toThrow();
    expect(() => assertUrlAllowed(new URL('http://127.0.0.1:8080/'), ['127.0.0.1:8080'])).not.toThrow();
    expect(() => assertUrlAllowed(new URL('http://[::1]/'), ['::1'])).not.toThrow();
  });
});

describe('createGuardedLookup', () => {
  const fakeDns = (addresses: Array<{ address: string; family: number }>) =>
    ((_host: string, _options: unknown, callback: (e: null, a: typeof addresses) => void) =>
      callback(null, addresses)) as never;

  const run = (lookup: ReturnType<typeof createGuardedLookup>, host: string, all: boolean) =>
    new Promise<{ error: Error | null; address: unknown }>((resolve) =>
      lookup(host, { all } as never, (error, address) => resolve({ error, address })),
    );

  it('refuses a host if any of its addresses is internal (no mixing a public and a private answer)', async () => {
    const lookup = createGuardedLookup(
      fakeDns([
        { address: '93.184.216.34', family: 4 },
        { address: '10.1.2.3', family: 4 },
      ]),
    );
    const { error } = await run(lookup, 'rebind.beispiel.example', false);
    expect(error?.name).toBe('SsrfBlockedError');
  });

  it('returns the checked address in the shape the caller asked for', async () => {
    const lookup = createGuardedLookup(fakeDns([{ address: '93.184.216.34', family: 4 }]));
    expect(await run(lookup, 'beispiel.example', false)).toEqual({ error: null, address: '93.184.216.34' });
    expect(await run(lookup, 'beispiel.example', true)).toEqual({
      error: null,
      address: [{ address: '93.184.216.34', family: 4 }],
    });
  });

  it('refuses private addresses whatever the host (allowed private origins never reach it: see the connector)', async () => {
    const lookup = createGuardedLookup(fakeDns([{ address: '10.0.0.5', family: 4 }]));
    expect((await run(lookup, 'fixtures.intern', false)).error?.name).toBe('SsrfBlockedError');
  });
});
