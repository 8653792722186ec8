/**
 * The example deployment in deploy/ against the real configuration loader: every Jobbrücke service of the compose file
 * and every systemd unit gets a configuration that loads, with its secrets in the files an operator creates; the
 * compose file names only env files and secrets that exist, the units only credentials they load. Neither Docker nor
 * systemd runs here; docs/deployment.md says what was checked with the real tools.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { load, YAML11_SCHEMA } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { type Config, ENV_VARIABLES, loadConfig } from '../../src/config.ts';
import { isAtLeast, MIN_MEILISEARCH_VERSION, parseVersion } from '../../src/search/meilisearch-version.ts';

const DEPLOY = resolve(import.meta.dirname, '../../deploy');
const SYSTEMD = join(DEPLOY, 'systemd');
const tmp = mkdtempSync(join(tmpdir(), 'jobbruecke-deploy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Env = Record<string, string>;

/**
 * An env file as Docker Compose and systemd both read it: `NAME=value` lines, the value optionally in quotes, and
 * comment lines. With `examples`, commented settings (`# SMTP_URL_FILE=…`) count too, so the examples are checked.
 */
function readEnvFile(path: string, { examples = false } = {}): Env {
  const env: Env = {};
  for (const [index, raw] of readFileSync(path, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const example = /^#\s*([A-Z][A-Z0-9_]*=.*)$/.exec(line)?.[1];
    const setting = line.startsWith('#') ? (examples ? example : undefined) : line;
    if (setting === undefined) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(setting);
    if (!match) throw new Error(`${path}:${index + 1}: not NAME=value: ${line}`);
    const value = match[2]!;
    env[match[1]!] = /^(['"]).*\1$/.test(value) ? value.slice(1, -1) : value;
  }
  return env;
}

/** Every setting must be one the configuration reads: a misspelt name would silently be ignored. */
function expectKnown(env: Env, where: string) {
  const unknown = Object.keys(env).filter((name) => !ENV_VARIABLES.includes(name));
  expect(unknown, `${where} sets variables the configuration does not read`).toEqual([]);
}

// --- Docker Compose ---------------------------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  env_file?: string[];
  environment?: Env;
  secrets?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  restart?: string;
  volumes?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
}
interface Compose {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
}

// Compose reads YAML 1.1 with merge keys (`<<: *jobbruecke`).
const compose = load(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { schema: YAML11_SCHEMA }) as Compose;
const services = Object.entries(compose.services);
const jobbruecke = services.filter(([, s]) => s.build?.dockerfile === 'deploy/Dockerfile');
const withCommand = (...command: string[]) =>
  jobbruecke.filter(([, s]) => JSON.stringify(s.command) === JSON.stringify(command));

/** The secrets as `sh deploy/secrets/create.sh` writes them, plus the ones it leaves to the operator. */
function createSecrets(): string {
  const dir = join(tmp, 'secrets');
  mkdirSync(dir);
  const created = spawnSync('sh', [join(DEPLOY, 'secrets/create.sh'), dir], { encoding: 'utf8' });
  expect(created.status, created.stderr).toBe(0);
  writeFileSync(join(dir, 'meili_api_key'), `${'a1'.repeat(32)}\n`);
  writeFileSync(join(dir, 'smtp_url'), 'smtp://jobcenter:mail-pass@mail.stadt.example:587\n');
  writeFileSync(join(dir, 'kiosk_token'), `${'k'.repeat(48)}\n`);
  return dir;
}
const secretsDir = createSecrets();
const secretValue = (name: string) => readFileSync(join(secretsDir, name), 'utf8').trim();

/**
 * A service's environment as Compose gives it (env files in order, then `environment`), with `/run/secrets/<name>`
 * pointing at the created file. A secret the service is not granted stays unreadable, as in the container.
 */
function serviceEnv(name: string, service: ComposeService, { examples = false } = {}): Env {
  const env: Env = {};
  for (const file of service.env_file ?? []) Object.assign(env, readEnvFile(join(DEPLOY, file), { examples }));
  Object.assign(env, service.environment ?? {});
  expectKnown(env, `compose service ${name}`);
  for (const [variable, value] of Object.entries(env)) {
    const secret = /^\/run\/secrets\/(.+)$/.exec(value)?.[1];
    if (!variable.endsWith('_FILE') || !secret) continue;
    const granted = service.secrets?.includes(secret) || (examples && !compose.secrets[secret]);
    env[variable] = granted ? join(secretsDir, secret) : join(tmp, 'not-granted', secret);
  }
  return env;
}

/** Where a URL from the configuration points: a compose service name and port. */
const endpoint = (url: string) => {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
};

describe('deploy/compose.yaml', () => {
  it('gives every Jobbrücke service a configuration that loads, its secrets from the files create.sh writes', () => {
    expect(jobbruecke.map(([name]) => name).sort()).toEqual(['api-1', 'api-2', 'migrate', 'worker']);
    const postgres = compose.services.postgres!.environment!;
    for (const [name, service] of jobbruecke) {
      let config: Config | undefined;
      expect(() => {
        config = loadConfig(serviceEnv(name, service));
      }, name).not.toThrow();
      if (!config) continue;
      expect(config.env).toBe('production');
      expect(config.db.kind).toBe('postgres');
      expect(config.queue.kind).toBe('redis');
      expect(config.search.kind).toBe('meilisearch');
      if (config.db.kind !== 'postgres' || config.queue.kind !== 'redis' || config.search.kind !== 'meilisearch')
        continue;
      // The URLs reach the services of this file, with the passwords those services were given.
      expect(endpoint(config.db.url)).toEqual({
        host: 'postgres',
        port: '5432',
        user: postgres.POSTGRES_USER,
        password: secretValue('postgres_password'),
      });
      expect(new URL(config.db.url).pathname).toBe(`/${postgres.POSTGRES_DB}`);
      expect(endpoint(config.queue.url)).toMatchObject({
        host: 'redis',
        port: '6379',
        password: secretValue('redis_password'),
      });
      expect(endpoint(config.search.url)).toMatchObject({ host: 'meilisearch', port: '7700' });
      expect(config.search.apiKey).toBe(secretValue('meili_api_key'));
      expect(config.search.apiKey).not.toBe(secretValue('meili_master_key'));
    }
  });

  it('loads the commented examples of the env files too (SMTP for the workers, the kiosk token for the APIs)', () => {
    const [[, worker]] = withCommand('start', '--worker') as [[string, ComposeService]];
    const [[, api]] = withCommand('start', '--api') as [[string, ComposeService]];
    expect(loadConfig(serviceEnv('worker', worker, { examples: true })).smtp).toEqual({
      url: 'smtp://jobcenter:mail-pass@mail.stadt.example:587',
      from: '"Jobcenter Musterstadt" <noreply@jobcenter.stadt.example>',
    });
    expect(loadConfig(serviceEnv('api-1', api, { examples: true })).network.kioskToken).toBe('k'.repeat(48));
  });

  it('names only env files, mounted files and secrets that exist, and declares only secrets it uses', () => {
    for (const [name, service] of services) {
      for (const file of service.env_file ?? []) expect(existsSync(join(DEPLOY, file)), `${name}: ${file}`).toBe(true);
      for (const volume of service.volumes ?? []) {
        if (!volume.startsWith('./')) continue;
        expect(existsSync(join(DEPLOY, volume.split(':')[0]!)), `${name}: ${volume}`).toBe(true);
      }
      for (const secret of service.secrets ?? []) expect(compose.secrets, `${name}: ${secret}`).toHaveProperty(secret);
    }
    const readme = readFileSync(join(DEPLOY, 'secrets/README'), 'utf8');
    const created = readdirSync(secretsDir);
    for (const [secret, { file }] of Object.entries(compose.secrets)) {
      expect(file).toBe(`./secrets/${secret}`);
      expect(readme, `secrets/README explains ${secret}`).toMatch(new RegExp(`^${secret} `, 'm'));
      expect(created, `create.sh or the test wrote ${secret}`).toContain(secret);
      expect(
        services.some(([, s]) => s.secrets?.includes(secret)),
        `${secret} is used`,
      ).toBe(true);
    }
    // The one secret create.sh cannot write is made by Meilisearch, as the README shows.
    const byScript = spawnSync('sh', [join(DEPLOY, 'secrets/create.sh'), mkdtempSync(join(tmp, 'again-'))], {
      encoding: 'utf8',
    });
    expect(byScript.stderr).toMatch(/still missing: .*meili_api_key/);
    expect(readme).toMatch(/POST http:\/\/127\.0\.0\.1:7700\/keys/);
  });

  it('keeps the secrets create.sh wrote when run again, and URL and password together', () => {
    const before = Object.fromEntries(readdirSync(secretsDir).map((f) => [f, secretValue(f)]));
    const again = spawnSync('sh', [join(DEPLOY, 'secrets/create.sh'), secretsDir], { encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(Object.fromEntries(readdirSync(secretsDir).map((f) => [f, secretValue(f)]))).toEqual(before);
    expect(secretValue('postgres_password')).toMatch(/^[0-9a-f]{64}$/);
    expect(secretValue('redis_url')).toBe(`redis://:${secretValue('redis_password')}@redis:6379`);
  });

  it('runs two APIs and two workers after a one-shot migration, the APIs behind Caddy, which alone is trusted', () => {
    const apis = withCommand('start', '--api');
    const workers = withCommand('start', '--worker');
    const [[, migrate]] = withCommand('migrate') as [[string, ComposeService]];
    expect(apis.length).toBeGreaterThanOrEqual(2);
    expect(workers.reduce((n, [, s]) => n + (s.deploy?.replicas ?? 1), 0)).toBeGreaterThanOrEqual(2);
    expect(migrate.restart).toBe('no');
    for (const [name, service] of [...apis, ...workers]) {
      expect(service.depends_on, name).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
      expect(service.restart, name).toBe('unless-stopped');
    }
    for (const name of ['postgres', 'redis', 'meilisearch', ...apis.map(([n]) => n)]) {
      expect(compose.services[name]?.healthcheck?.test, `${name} has a healthcheck`).toBeDefined();
    }

    const caddyfile = readFileSync(join(DEPLOY, 'Caddyfile'), 'utf8');
    const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddyfile)?.[1]?.trim().split(/\s+/);
    const ports = apis.map(([name, s]) => `${name}:${loadConfig(serviceEnv(name, s)).http.port}`);
    expect(upstreams?.sort()).toEqual(ports.sort());
    expect(caddyfile).toMatch(/health_uri \/health/);
    const caddy = compose.services.caddy!;
    const caddyAddress = (caddy.networks as Record<string, { ipv4_address: string }>).edge!.ipv4_address;
    for (const [name, service] of apis) {
      expect(loadConfig(serviceEnv(name, service)).network.trustProxy).toEqual([caddyAddress]);
    }
    // The site name the Caddyfile reads is set in Caddy's env file.
    const siteVariable = /^\{\$([A-Z_]+)\}/m.exec(caddyfile)?.[1];
    expect(siteVariable).toBeDefined();
    expect(caddy.env_file?.map((f) => readEnvFile(join(DEPLOY, f))[siteVariable!])).toContain(
      'jobbruecke.stadt.example',
    );
  });

  it('keeps Redis durable and never evicting, and pins a Meilisearch the adapter accepts, keyed from a secret', () => {
    const redis = compose.services.redis!;
    const conf = Object.fromEntries(
      readFileSync(join(DEPLOY, 'redis/redis.conf'), 'utf8')
        .split('\n')
        .filter((line) => /^[a-z]/.test(line))
        .map((line) => line.split(/\s+/) as [string, string]),
    );
    expect(conf).toMatchObject({ appendonly: 'yes', appendfsync: 'everysec', 'maxmemory-policy': 'noeviction' });
    expect(redis.volumes).toContain('./redis/redis.conf:/usr/local/etc/redis/redis.conf:ro');
    expect(redis.command?.join(' ')).toMatch(
      /\/run\/secrets\/redis_password[\s\S]*exec redis-server \/tmp\/redis\.conf/,
    );
    expect(redis.secrets).toEqual(['redis_password']);

    const meili = compose.services.meilisearch!;
    const pinned = /^getmeili\/meilisearch:v(\d+\.\d+\.\d+)$/.exec(meili.image ?? '')?.[1];
    expect(pinned, 'an exact version, never a moving tag').toBeDefined();
    expect(isAtLeast(parseVersion(pinned!)!, parseVersion(MIN_MEILISEARCH_VERSION)!)).toBe(true);
    expect(meili.command?.join(' ')).toMatch(/MEILI_MASTER_KEY="\$\$\(cat \/run\/secrets\/meili_master_key\)"/);
    expect(meili.secrets).toEqual(['meili_master_key']);
    expect(meili.environment).toMatchObject({ MEILI_ENV: 'production' });
  });
});

// --- systemd ----------------------------------------------------------------------------------------------------

interface Unit {
  file: string;
  /** Every `Key=value` of the unit, in order, keys repeated as often as they occur. */
  entries: Array<[string, string]>;
}

function readUnit(file: string): Unit {
  const entries = readFileSync(join(SYSTEMD, file), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]);
  return { file, entries };
}
const values = (unit: Unit, key: string) => unit.entries.filter(([k]) => k === key).map(([, v]) => v);
const units = readdirSync(SYSTEMD)
  .filter((f) => f.endsWith('.service') || f.endsWith('.target'))
  .map(readUnit);
const jobbrueckeUnits = units.filter((u) => values(u, 'ExecStart').some((e) => e.includes('bin/jobbruecke.js')));

/** Credentials as an operator puts them into /etc/jobbruecke/credentials, pointing at services on this host. */
function credentialsDir(): string {
  const dir = join(tmp, 'credentials');
  mkdirSync(dir);
  const files: Env = {
    database_url: 'postgres://jobbruecke:db-pass@127.0.0.1:5432/jobbruecke',
    redis_url: 'redis://:redis-pass@127.0.0.1:6379',
    meili_api_key: 'b2'.repeat(32),
  };
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), `${value}\n`);
  return dir;
}
const credentials = credentialsDir();

/**
 * The environment systemd gives an instance of the unit: its EnvironmentFile (from deploy/systemd, where it is kept
 * before being installed), then its `Environment=` lines, with the specifiers `%i`, `%S` and `%d` expanded. `%d` is
 * a directory holding only the credentials the unit loads.
 */
function unitEnv(unit: Unit, instance: string): Env {
  const env: Env = {};
  for (const file of values(unit, 'EnvironmentFile')) {
    expect(file, `${unit.file} reads its env file from /etc/jobbruecke`).toMatch(/^\/etc\/jobbruecke\//);
    Object.assign(env, readEnvFile(join(SYSTEMD, basename(file))));
  }
  const loaded = join(tmp, `loaded-${unit.file}-${instance}`);
  mkdirSync(loaded, { recursive: true });
  for (const credential of values(unit, 'LoadCredential')) {
    const [name, path] = credential.split(':') as [string, string];
    expect(path, unit.file).toBe(`/etc/jobbruecke/credentials/${name}`);
    writeFileSync(join(loaded, name), readFileSync(join(credentials, name)));
  }
  for (const line of values(unit, 'Environment')) {
    for (const assignment of line.split(/\s+/)) {
      const [name, value] = [
        assignment.slice(0, assignment.indexOf('=')),
        assignment.slice(assignment.indexOf('=') + 1),
      ];
      env[name] = value.replaceAll('%i', instance).replaceAll('%S', join(tmp, 'state')).replaceAll('%d', loaded);
    }
  }
  expectKnown(
    Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'HOME')),
    `${unit.file} (env file and Environment=)`,
  );
  return env;
}

describe('deploy/systemd', () => {
  const target = units.find((u) => u.file === 'jobbruecke.target')!;
  const wanted = values(target, 'Wants').flatMap((v) => v.split(/\s+/));
  /** `jobbruecke-api@3001.service` → the template unit and the instance. */
  const instances = wanted.map((name) => {
    const match = /^(.+@)(.*)(\.service)$/.exec(name);
    return {
      name,
      unit: units.find((u) => u.file === (match ? `${match[1]}${match[3]}` : name)),
      instance: match?.[2] ?? '',
    };
  });

  it('wants a migration, two APIs and two workers, each an existing unit', () => {
    expect(instances.filter((i) => !i.unit).map((i) => i.name)).toEqual([]);
    const byUnit = (file: string) => instances.filter((i) => i.unit?.file === file);
    expect(byUnit('jobbruecke-migrate.service')).toHaveLength(1);
    expect(byUnit('jobbruecke-api@.service').length).toBeGreaterThanOrEqual(2);
    expect(byUnit('jobbruecke-worker@.service').length).toBeGreaterThanOrEqual(2);
    for (const file of ['jobbruecke-api@.service', 'jobbruecke-worker@.service']) {
      const unit = units.find((u) => u.file === file)!;
      expect(values(unit, 'Requires'), `${file} starts only after the migration`).toContain(
        'jobbruecke-migrate.service',
      );
      expect(values(unit, 'After').join(' ')).toContain('jobbruecke-migrate.service');
    }
  });

  it('gives every instance a configuration that loads, each *_FILE naming a credential the unit loads', () => {
    for (const { name, unit, instance } of instances.filter((i) => i.unit && jobbrueckeUnits.includes(i.unit))) {
      const env = unitEnv(unit!, instance);
      const loaded = values(unit!, 'LoadCredential').map((c) => c.split(':')[0]);
      const named = Object.entries(env)
        .filter(([variable]) => variable.endsWith('_FILE'))
        .map(([, path]) => basename(path));
      expect(named.sort(), `${name}: every credential loaded is used, every one used is loaded`).toEqual(
        [...loaded].sort(),
      );
      const config = loadConfig(env);
      expect(config.db.kind, name).toBe('postgres');
      expect(config.network.trustProxy).toEqual(['127.0.0.1']);
      if (unit!.file === 'jobbruecke-api@.service')
        expect(config.http).toEqual({ host: '127.0.0.1', port: Number(instance) });
      if (unit!.file !== 'jobbruecke-migrate.service') {
        expect(config.queue.kind, name).toBe('redis');
        expect(config.search, name).toMatchObject({ kind: 'meilisearch', apiKey: 'b2'.repeat(32) });
      }
    }
  });

  it('runs every service without privileges, and Meilisearch keyed from its credential', () => {
    for (const unit of units.filter((u) => u.file.endsWith('.service'))) {
      for (const [key, value] of [
        ['DynamicUser', 'yes'],
        ['NoNewPrivileges', 'yes'],
        ['ProtectSystem', 'strict'],
        ['ProtectHome', 'yes'],
        ['PrivateTmp', 'yes'],
        ['CapabilityBoundingSet', ''],
      ]) {
        expect(values(unit, key!), `${unit.file}: ${key}`).toEqual([value]);
      }
    }
    const meili = units.find((u) => u.file === 'meilisearch.service')!;
    expect(values(meili, 'LoadCredential')).toEqual(['meili_master_key:/etc/meilisearch/master_key']);
    expect(values(meili, 'ExecStart')[0]).toContain('$${CREDENTIALS_DIRECTORY}/meili_master_key');
  });

  it('puts the APIs of the target behind the host’s Caddy', () => {
    const caddyfile = readFileSync(join(SYSTEMD, 'Caddyfile'), 'utf8');
    const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddyfile)?.[1]?.trim().split(/\s+/);
    const ports = instances
      .filter((i) => i.unit?.file === 'jobbruecke-api@.service')
      .map((i) => `127.0.0.1:${i.instance}`);
    expect(upstreams?.sort()).toEqual(ports.sort());
  });
});
