/**
 * /app/sla: the branch lead's dashboard. Compliance with the 48-hour promise by week and by caseworker, time to
 * the qualified response (median and 90th percentile), the breaches with their reasons, as tables and as SVG charts
 * with the same figures, through the verb of `GET /api/v1/sla/summary` (`slaSummary`). Below, the month's sample
 * for the internal control (`drawAuditSample`, src/audit/sample.ts). Branch leads see their branch; admins name one.
 */
import { type AuditSample, CASE_OUTCOME_LABEL, drawAuditSample } from '../../src/audit/sample.ts';
import type { Ctx } from '../../src/context.ts';
import { AppError, type Issue, ValidationFailed } from '../../src/errors.ts';
import { localTime } from '../../src/sla/calendar.ts';
import { responseLabel } from '../../src/sla/reasons.ts';
import { rulesOf } from '../../src/sla/rules.ts';
import { SLA_STATE_LABEL } from '../../src/sla/state.ts';
import { type SlaFigures, type SlaGroup, type SlaSummary, slaSummary } from '../../src/sla/summary.ts';
import { formatNumber, formatPercent, W } from '../messages/workbench.de.ts';
import { BarChart } from './chart.tsx';
import { page } from './errors.tsx';
import { berlinDay, formatDate, formatDateTime } from './format.ts';
import { ErrorSummary, Field, StateBadge, TableWrap, type WorkbenchContext, WorkbenchPage } from './ui.tsx';

const DAY_MS = 86_400_000;
/** Eight weeks: enough for a trend, few enough bars to read. */
const DEFAULT_DAYS = 56;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const hours = (v: number | null) => (v === null ? W.common.none : W.common.hours(v));

function FiguresHead({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        <th scope="col">{W.sla.orders}</th>
        <th scope="col">{W.sla.met}</th>
        <th scope="col">{W.sla.metLate}</th>
        <th scope="col">{W.sla.breached}</th>
        <th scope="col">{W.sla.running}</th>
        <th scope="col">{W.sla.complianceRate}</th>
        <th scope="col">{W.sla.median}</th>
        <th scope="col">{W.sla.p90}</th>
        <th scope="col">{W.sla.proposals}</th>
      </tr>
    </thead>
  );
}

function FiguresRow({ label, f }: { label: string; f: SlaFigures }) {
  const n = (v: number) => formatNumber(v, 0);
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{n(f.orders)}</td>
      <td>{n(f.counts.met)}</td>
      <td>{n(f.counts.met_late)}</td>
      <td>{n(f.counts.breached)}</td>
      <td>{n(f.counts.open + f.counts.at_risk + f.counts.escalated)}</td>
      <td>{formatPercent(f.complianceRate)}</td>
      <td>{hours(f.medianResponseHours)}</td>
      <td>{hours(f.p90ResponseHours)}</td>
      <td>{n(f.placement.proposals)}</td>
    </tr>
  );
}

function GroupTable(props: { id: string; caption: string; first: string; groups: SlaGroup[]; total: SlaFigures }) {
  return (
    <TableWrap>
      <table class="table table--numbers" id={props.id}>
        <caption>{props.caption}</caption>
        <FiguresHead first={props.first} />
        <tbody>
          {props.groups.map((g) => (
            <FiguresRow label={g.label} f={g} />
          ))}
        </tbody>
        <tfoot>
          <FiguresRow label={W.sla.total} f={props.total} />
        </tfoot>
      </table>
    </TableWrap>
  );
}

/** "2026-W47" as "KW 47/2026". */
const weekLabel = (key: string) => {
  const m = /^(\d{4})-W(\d{2})$/.exec(key);
  return m ? `KW ${Number(m[2])}/${m[1]}` : key;
};

function Charts({ weeks, limitHours }: { weeks: SlaGroup[]; limitHours: number }) {
  if (weeks.length === 0) return null;
  const compliance = weeks.map((w) => ({ label: weekLabel(w.key), values: [w.complianceRate] }));
  const response = weeks.map((w) => ({
    label: weekLabel(w.key),
    values: [w.medianResponseHours, w.p90ResponseHours],
  }));
  const maxHours = Math.max(
    limitHours * 1.25,
    ...weeks.flatMap((w) => [w.medianResponseHours ?? 0, w.p90ResponseHours ?? 0]),
  );
  const describe = (rows: typeof compliance, fmt: (v: number | null) => string) =>
    rows.map((r) => `${r.label}: ${r.values.map(fmt).join(' / ')}`).join('; ');
  return (
    <div class="charts">
      <BarChart
        id="chart-compliance"
        title={W.sla.chartCompliance}
        description={W.sla.chartComplianceDesc(describe(compliance, (v) => formatPercent(v)))}
        series={[{ key: 'met', label: W.sla.complianceRate }]}
        rows={compliance}
        max={1}
        format={(v) => formatPercent(v, 0)}
      />
      <BarChart
        id="chart-response"
        title={W.sla.chartResponse}
        description={W.sla.chartResponseDesc(describe(response, hours))}
        series={[
          { key: 'median', label: W.sla.median },
          { key: 'p90', label: W.sla.p90 },
        ]}
        rows={response}
        max={maxHours}
        format={(v) => W.common.hours(v)}
        reference={{ value: limitHours, label: W.sla.limitLine(limitHours) }}
      />
    </div>
  );
}

function Breaches({ summary }: { summary: SlaSummary }) {
  return (
    <section aria-labelledby="verstoesse">
      <h2 id="verstoesse">{W.sla.breaches}</h2>
      {summary.breaches.length === 0 ? (
        <p>{W.sla.breachesNone}</p>
      ) : (
        <TableWrap>
          <table class="table">
            <caption>{W.sla.breachesCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{W.sla.breachCols.reference}</th>
                <th scope="col">{W.sla.breachCols.due}</th>
                <th scope="col">{W.sla.breachCols.responded}</th>
                <th scope="col">{W.sla.breachCols.reason}</th>
                <th scope="col">{W.sla.breachCols.state}</th>
              </tr>
            </thead>
            <tbody>
              {summary.breaches.map((b) => (
                <tr>
                  <th scope="row">
                    <a href={`/app/stellen/${b.vacancyId}`}>{b.reference ?? b.vacancyId}</a>
                  </th>
                  <td>{formatDateTime(b.dueAt)}</td>
                  <td>{b.respondedAt ? formatDateTime(b.respondedAt) : W.sla.stillOpen}</td>
                  <td>{responseLabel(b.reason) ?? W.common.none}</td>
                  <td>
                    <StateBadge state={b.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

/** The last twelve months that have ended, newest first, as `YYYY-MM`. */
function endedMonths(now: Date): string[] {
  const t = localTime(now);
  const months: string[] = [];
  let y = t.year;
  let m = t.month;
  for (let i = 0; i < 12; i++) {
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
    months.push(`${y}-${String(m).padStart(2, '0')}`);
  }
  return months;
}

const monthName = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat('de-DE', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, 15)),
  );
};

function Sample(props: {
  sample: AuditSample | null;
  error?: string;
  months: string[];
  month: string;
  query: Record<string, string>;
}) {
  const { sample } = props;
  const monthId = 'stichprobe-monat';
  return (
    <section aria-labelledby="stichprobe" class="panel" id="iks">
      <h2 id="stichprobe">{W.sla.sample}</h2>
      <p>{W.sla.sampleIntro}</p>
      <form method="get" action="/app/sla#iks" class="form form--inline">
        {Object.entries(props.query).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <div class="field">
          <label for={monthId}>{W.sla.sampleMonth}</label>
          <select id={monthId} name="monat">
            {props.months.map((m) => (
              <option value={m} selected={m === props.month}>
                {monthName(m)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button">
          {W.sla.show}
        </button>
      </form>
      {props.error ? <p class="notice notice--info">{props.error}</p> : null}
      {sample ? (
        <>
          <p>{W.sla.samplePopulation(sample.population, sample.cases.length, monthName(sample.month))}</p>
          {sample.cases.length > 0 ? (
            <TableWrap>
              <table class="table">
                <caption>{W.sla.sampleCaption(monthName(sample.month))}</caption>
                <thead>
                  <tr>
                    <th scope="col">{W.sla.sampleCols.order}</th>
                    <th scope="col">{W.sla.sampleCols.caseworker}</th>
                    <th scope="col">{W.sla.sampleCols.received}</th>
                    <th scope="col">{W.sla.sampleCols.response}</th>
                    <th scope="col">{W.sla.sampleCols.state}</th>
                    <th scope="col">{W.sla.sampleCols.proposals}</th>
                    <th scope="col">{W.sla.sampleCols.outcome}</th>
                  </tr>
                </thead>
                <tbody>
                  {sample.cases.map((k) => (
                    <tr>
                      <th scope="row">
                        <a href={`/app/stellen/${k.vacancyId}`}>{k.reference ?? k.title}</a>
                        <span class="sub">{k.title}</span>
                      </th>
                      <td>{k.caseworker?.displayName ?? W.inbox.unassigned}</td>
                      <td>{formatDateTime(k.receivedAt)}</td>
                      <td>
                        {k.respondedAt ? formatDateTime(k.respondedAt) : W.sla.stillOpen}
                        {k.responseKind ? <span class="sub">{responseLabel(k.responseKind)}</span> : null}
                      </td>
                      <td>
                        <StateBadge state={k.slaState} />
                      </td>
                      <td>{W.sla.sampleProposals(k.proposals.sent, k.proposals.invited, k.proposals.hired)}</td>
                      <td>{CASE_OUTCOME_LABEL[k.outcome]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

export function slaDashboardPage({ ctx }: { ctx: Ctx }) {
  return page(async (c: WorkbenchContext) => {
    const actor = c.get('actor');
    const now = ctx.now();
    const issues: Issue[] = [];
    const fromRaw = c.req.query('von') ?? berlinDay(new Date(now.getTime() - DEFAULT_DAYS * DAY_MS));
    const toRaw = c.req.query('bis') ?? '';
    const branchRaw = c.req.query('zweigstelle') ?? '';
    if (!DAY.test(fromRaw)) issues.push({ path: 'von', message: W.sla.dayExpected });
    if (toRaw && !DAY.test(toRaw)) issues.push({ path: 'bis', message: W.sla.dayExpected });
    if (branchRaw && !/^\d{1,5}$/.test(branchRaw)) issues.push({ path: 'zweigstelle', message: W.sla.branchExpected });
    const branch = actor.role === 'admin' && branchRaw && issues.length === 0 ? Number(branchRaw) : undefined;
    const input = {
      from: DAY.test(fromRaw) ? fromRaw : undefined,
      to: toRaw && DAY.test(toRaw) ? toRaw : undefined,
      branch,
    };
    let byWeek: SlaSummary | null = null;
    let byCaseworker: SlaSummary | null = null;
    try {
      byWeek = await slaSummary({ ctx, actor, input: { ...input, groupBy: 'week' } });
      byCaseworker = await slaSummary({ ctx, actor, input: { ...input, groupBy: 'caseworker', breachLimit: 0 } });
    } catch (err) {
      if (!(err instanceof ValidationFailed)) throw err;
      issues.push(
        ...err.issues.map((i) => ({
          path: i.path === 'from' ? 'von' : i.path === 'to' ? 'bis' : i.path,
          message: i.message,
        })),
      );
    }

    const months = endedMonths(now);
    const monthRaw = c.req.query('monat');
    const month = monthRaw && months.includes(monthRaw) ? monthRaw : months[0]!;
    const sampleBranch = actor.role === 'admin' ? branch : (actor.branchId ?? undefined);
    let sample: AuditSample | null = null;
    let sampleError: string | undefined;
    if (sampleBranch === undefined) {
      sampleError = W.sla.sampleChooseBranch;
    } else {
      try {
        sample = await drawAuditSample({ ctx, actor, input: { branch: sampleBranch, month } });
      } catch (err) {
        if (!(err instanceof AppError) || err.code === 'forbidden') throw err;
        sampleError = err.message;
      }
    }
    const query: Record<string, string> = { von: fromRaw };
    if (toRaw) query.bis = toRaw;
    if (branchRaw) query.zweigstelle = branchRaw;
    const limitHours = rulesOf(ctx).responseHours;
    const period = byWeek ? `${formatDate(byWeek.from)} – ${formatDate(new Date(byWeek.to.getTime() - 1))}` : '';

    return c.html(
      <WorkbenchPage c={c} title={W.sla.title} section="sla">
        <h1>{W.sla.title}</h1>
        <p class="lead">{W.sla.intro}</p>
        <ErrorSummary form="zeitraum" issues={issues} />
        <form method="get" action="/app/sla" class="form form--inline panel" aria-label={W.sla.period}>
          <Field
            form="zeitraum"
            name="von"
            type="date"
            label={W.sla.from}
            value={fromRaw}
            error={issues.find((i) => i.path === 'von')?.message}
          />
          <Field
            form="zeitraum"
            name="bis"
            type="date"
            label={W.sla.to}
            value={toRaw}
            error={issues.find((i) => i.path === 'bis')?.message}
          />
          {actor.role === 'admin' ? (
            <Field
              form="zeitraum"
              name="zweigstelle"
              label={W.sla.branch}
              inputmode="numeric"
              value={branchRaw}
              error={issues.find((i) => i.path === 'zweigstelle')?.message}
            />
          ) : null}
          <button type="submit" class="button">
            {W.sla.show}
          </button>
        </form>
        {byWeek && byCaseworker ? (
          <>
            <section aria-labelledby="gesamt">
              <h2 id="gesamt">
                {W.sla.total}: {period}
                {byWeek.branch ? ` · ${W.common.branch} ${byWeek.branch}` : ''}
              </h2>
              <dl class="kpis">
                <div>
                  <dt>{W.sla.orders}</dt>
                  <dd>{formatNumber(byWeek.total.orders, 0)}</dd>
                </div>
                <div>
                  <dt>{W.sla.complianceRate}</dt>
                  <dd>{formatPercent(byWeek.total.complianceRate)}</dd>
                </div>
                <div>
                  <dt>{W.sla.median}</dt>
                  <dd>{hours(byWeek.total.medianResponseHours)}</dd>
                </div>
                <div>
                  <dt>{W.sla.p90}</dt>
                  <dd>{hours(byWeek.total.p90ResponseHours)}</dd>
                </div>
                <div>
                  <dt>{SLA_STATE_LABEL.breached}</dt>
                  <dd>{formatNumber(byWeek.total.counts.breached, 0)}</dd>
                </div>
              </dl>
            </section>
            <section aria-labelledby="wochen">
              <h2 id="wochen">{W.sla.byWeek}</h2>
              {byWeek.groups.length === 0 ? (
                <p>{W.sla.noData}</p>
              ) : (
                <>
                  <Charts weeks={byWeek.groups} limitHours={limitHours} />
                  <GroupTable
                    id="tabelle-wochen"
                    caption={W.sla.byWeekCaption}
                    first={W.sla.week}
                    groups={byWeek.groups.map((g) => ({ ...g, label: weekLabel(g.key) }))}
                    total={byWeek.total}
                  />
                </>
              )}
            </section>
            <section aria-labelledby="personen">
              <h2 id="personen">{W.sla.byCaseworker}</h2>
              {byCaseworker.groups.length === 0 ? (
                <p>{W.sla.noData}</p>
              ) : (
                <GroupTable
                  id="tabelle-personen"
                  caption={W.sla.byCaseworkerCaption}
                  first={W.sla.caseworker}
                  groups={byCaseworker.groups}
                  total={byCaseworker.total}
                />
              )}
            </section>
            <Breaches summary={byWeek} />
          </>
        ) : null}
        <Sample sample={sample} error={sampleError} months={months} month={month} query={query} />
      </WorkbenchPage>,
    );
  });
}
