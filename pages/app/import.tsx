/**
 * /app/import: the customer CSV import as a form. The same verb as `POST /api/v1/customers/import`
 * (`importCustomersCsv`), with its per-row report; "Nur prüfen" is its dry run. The upload has the API import's own
 * body limit (20 MB), which api/app.ts must let through its global 256 KiB limit (./paths.ts names the path).
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { CUSTOMER_IMPORT_MAX_BYTES } from '../../api/caseworker/customers.ts';
import type { Ctx } from '../../src/context.ts';
import { type ImportReport, importCustomersCsv } from '../../src/customers/import-csv.ts';
import { type Issue, ValidationFailed } from '../../src/errors.ts';
import { formatNumber, W } from '../messages/workbench.de.ts';
import { formText, page } from './errors.tsx';
import {
  Csrf,
  ErrorSummary,
  Field,
  fieldId,
  issueFor,
  TableWrap,
  type WorkbenchContext,
  WorkbenchPage,
} from './ui.tsx';

/** Placed before the session guard, which reads the form for its CSRF token. */
export function importBodyLimit(): MiddlewareHandler {
  return bodyLimit({
    maxSize: CUSTOMER_IMPORT_MAX_BYTES,
    onError: (c) => c.text(W.errors.tooLarge, 413, { 'content-type': 'text/plain; charset=utf-8' }),
  });
}

function render(
  c: WorkbenchContext,
  state: { issues?: Issue[]; report?: ImportReport; encoding?: string; branch?: string } = {},
  status: 200 | 400 = 200,
) {
  const actor = c.get('actor');
  const issues = state.issues ?? [];
  const encodingId = fieldId('import', 'encoding');
  const report = state.report;
  return c.html(
    <WorkbenchPage c={c} title={W.import.title} section="import">
      <h1>{W.import.title}</h1>
      <p class="lead">{W.import.intro}</p>
      <p class="hint">{W.import.formatHint}</p>
      <ErrorSummary form="import" issues={issues} />
      <form method="post" action="/app/import" enctype="multipart/form-data" class="form panel">
        <Csrf c={c} />
        <Field
          form="import"
          name="file"
          type="file"
          accept=".csv,text/csv"
          label={W.import.file}
          hint={W.import.fileHint}
          required
          error={issueFor(issues, 'file')}
        />
        <div class="field">
          <label for={encodingId}>{W.import.encoding}</label>
          <select id={encodingId} name="encoding">
            <option value="">{W.import.encodingAuto}</option>
            <option value="utf-8" selected={state.encoding === 'utf-8'}>
              UTF-8
            </option>
            <option value="windows-1252" selected={state.encoding === 'windows-1252'}>
              Windows-1252
            </option>
          </select>
        </div>
        {actor.role === 'admin' ? (
          <Field
            form="import"
            name="branch"
            label={W.import.branch}
            hint={W.import.branchHint}
            inputmode="numeric"
            value={state.branch}
            error={issueFor(issues, 'branch')}
          />
        ) : null}
        <div class="actions">
          <button type="submit" name="schritt" value="pruefen" class="button button--primary">
            {W.import.check}
          </button>
          <button type="submit" name="schritt" value="importieren" class="button">
            {W.import.run}
          </button>
        </div>
      </form>
      {report ? <Report report={report} /> : null}
    </WorkbenchPage>,
    status,
  );
}

function Report({ report }: { report: ImportReport }) {
  const n = (v: number) => formatNumber(v, 0);
  const refusedRows = new Set(report.problems.map((p) => p.row)).size;
  return (
    <section aria-labelledby="ergebnis" class="panel" id="bericht">
      <h2 id="ergebnis" tabindex={-1} data-autofocus>
        {report.dryRun ? W.import.reportDry : W.import.reportDone}
      </h2>
      <table class="table table--facts">
        <caption>{W.import.summaryCaption}</caption>
        <tbody>
          <tr>
            <th scope="row">{W.import.rows}</th>
            <td>{n(report.rows)}</td>
          </tr>
          <tr>
            <th scope="row">{W.import.valid}</th>
            <td>{n(report.valid)}</td>
          </tr>
          <tr>
            <th scope="row">{report.dryRun ? W.import.createdDry : W.import.created}</th>
            <td>{n(report.created)}</td>
          </tr>
          <tr>
            <th scope="row">{report.dryRun ? W.import.updatedDry : W.import.updated}</th>
            <td>{n(report.updated)}</td>
          </tr>
          <tr>
            <th scope="row">{W.import.refused}</th>
            <td>{n(refusedRows)}</td>
          </tr>
          <tr>
            <th scope="row">{W.import.encodingUsed}</th>
            <td>{report.encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252'}</td>
          </tr>
        </tbody>
      </table>
      <h3>{W.import.problems}</h3>
      {report.problems.length === 0 ? (
        <p>{W.import.noProblems}</p>
      ) : (
        <TableWrap>
          <table class="table">
            <caption>{W.import.problemsCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{W.import.problemCols.row}</th>
                <th scope="col">{W.import.problemCols.field}</th>
                <th scope="col">{W.import.problemCols.reason}</th>
              </tr>
            </thead>
            <tbody>
              {report.problems.map((p) => (
                <tr>
                  <th scope="row">{p.row}</th>
                  <td>{p.field}</td>
                  <td>{p.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {report.dryRun && report.valid > 0 ? <p class="notice notice--info">{W.import.nextStep}</p> : null}
    </section>
  );
}

export function importFormPage() {
  return page((c) => render(c));
}

export function importAction({ ctx }: { ctx: Ctx }) {
  return page(async (c) => {
    const body = await c.req.parseBody();
    const file = body.file;
    const encodingRaw = formText(body, 'encoding');
    const encoding = encodingRaw === 'utf-8' || encodingRaw === 'windows-1252' ? encodingRaw : undefined;
    const branchRaw = formText(body, 'branch')?.trim();
    const dryRun = formText(body, 'schritt') !== 'importieren';
    const keep = { encoding, branch: branchRaw };
    if (!(file instanceof File) || file.size === 0) {
      return render(c, { ...keep, issues: [{ path: 'file', message: W.import.fileMissing }] }, 400);
    }
    if (branchRaw && !/^\d{1,5}$/.test(branchRaw)) {
      return render(c, { ...keep, issues: [{ path: 'branch', message: 'Bitte eine Zahl eingeben' }] }, 400);
    }
    try {
      const report = await importCustomersCsv({
        ctx,
        actor: c.get('actor'),
        bytes: new Uint8Array(await file.arrayBuffer()),
        branchId: branchRaw ? Number(branchRaw) : undefined,
        dryRun,
        encoding,
      });
      return render(c, { ...keep, report });
    } catch (err) {
      if (!(err instanceof ValidationFailed)) throw err;
      // A file refused as a whole (no readable CSV, a required column missing) is the file field's problem.
      const issues = err.issues.length
        ? err.issues.map((i) => ({ ...i, path: i.path === 'branch' ? 'branch' : 'file' }))
        : [{ path: 'file', message: err.message }];
      return render(c, { ...keep, issues }, 400);
    }
  });
}
