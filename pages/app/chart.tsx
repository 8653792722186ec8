/**
 * Horizontal bar charts as server-rendered SVG: no script, no library, no inline style (colours come from
 * workbench.css by class). Each chart is an image with a title and a description that states its data, and the
 * page puts the same figures in a table beside it, so nothing is conveyed by the drawing alone.
 */
export interface BarSeries {
  /** CSS modifier: `chart__bar--<key>`. */
  key: string;
  label: string;
}

export interface BarRow {
  label: string;
  /** One value per series; null draws no bar and says "keine Daten". */
  values: Array<number | null>;
}

export interface BarChartProps {
  id: string;
  title: string;
  description: string;
  series: BarSeries[];
  rows: BarRow[];
  /** The axis end; values above it are drawn to the end. */
  max: number;
  format: (v: number) => string;
  /** A reference line (e.g. the 48-hour limit) with its label. */
  reference?: { value: number; label: string };
}

const LABEL_W = 110;
const VALUE_W = 80;
const WIDTH = 640;
const BAR_H = 14;
const GAP = 10;
const TOP = 24;

export function BarChart(p: BarChartProps) {
  const plot = WIDTH - LABEL_W - VALUE_W;
  const rowH = p.series.length * BAR_H + GAP;
  const height = TOP + p.rows.length * rowH + 8;
  const x = (v: number) => LABEL_W + (Math.min(Math.max(v, 0), p.max) / p.max) * plot;
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-labelledby={`${p.id}-title ${p.id}-desc`}
        class="chart__svg"
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={`${p.id}-title`}>{p.title}</title>
        <desc id={`${p.id}-desc`}>{p.description}</desc>
        <g>
          {p.series.map((s, i) => (
            <g>
              <rect x={LABEL_W + i * 170} y={4} width={12} height={12} class={`chart__bar chart__bar--${s.key}`} />
              <text x={LABEL_W + i * 170 + 18} y={14} class="chart__legend">
                {s.label}
              </text>
            </g>
          ))}
          {p.rows.map((row, r) => {
            const y0 = TOP + r * rowH;
            return (
              <g>
                <text x={LABEL_W - 8} y={y0 + (p.series.length * BAR_H) / 2 + 4} text-anchor="end" class="chart__label">
                  {row.label}
                </text>
                {row.values.map((v, i) => {
                  const y = y0 + i * BAR_H;
                  return (
                    <g>
                      {v === null ? null : (
                        <rect
                          x={LABEL_W}
                          y={y + 1}
                          width={Math.max(x(v) - LABEL_W, 1)}
                          height={BAR_H - 2}
                          class={`chart__bar chart__bar--${p.series[i]?.key ?? 'a'}`}
                        />
                      )}
                      <text x={(v === null ? LABEL_W : x(v)) + 4} y={y + BAR_H - 3} class="chart__value">
                        {v === null ? 'keine Daten' : p.format(v)}
                      </text>
                    </g>
                  );
                })}
              </g>
            );
          })}
          <line x1={LABEL_W} x2={LABEL_W} y1={TOP - 4} y2={height - 4} class="chart__axis" />
          {p.reference ? (
            <g>
              <line
                x1={x(p.reference.value)}
                x2={x(p.reference.value)}
                y1={TOP - 4}
                y2={height - 4}
                class="chart__reference"
              />
              <text x={x(p.reference.value) - 4} y={height - 8} text-anchor="end" class="chart__legend">
                {p.reference.label}
              </text>
            </g>
          ) : null}
        </g>
      </svg>
    </figure>
  );
}
