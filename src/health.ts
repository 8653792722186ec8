/** Health of the parts the service needs; the API answers 503 when any is down. */
export type ComponentName = 'db' | 'queue' | 'search';

/** Parts a start loads while the service already serves: their routes answer 503 with Retry-After until loaded. */
export type LoadingPart = 'matcher';

export interface HealthReport {
  status: 'up' | 'down';
  components: Record<ComponentName, { status: 'up' | 'down'; kind: string }>;
  /** Present while parts are still loading; the service is up and the kiosk searches meanwhile. */
  loading?: LoadingPart[];
}

export type HealthProbe = { kind: string; check: () => Promise<boolean> };

const PROBE_TIMEOUT_MS = 2_000;

async function withTimeout(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check().catch(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(
  probes: Record<ComponentName, HealthProbe>,
  loading: LoadingPart[] = [],
): Promise<HealthReport> {
  const entries = await Promise.all(
    (Object.entries(probes) as Array<[ComponentName, HealthProbe]>).map(
      async ([name, probe]) =>
        [name, { status: (await withTimeout(probe.check)) ? 'up' : 'down', kind: probe.kind }] as const,
    ),
  );
  const components = Object.fromEntries(entries) as HealthReport['components'];
  const status = Object.values(components).every((c) => c.status === 'up') ? 'up' : 'down';
  return loading.length > 0 ? { status, components, loading } : { status, components };
}
