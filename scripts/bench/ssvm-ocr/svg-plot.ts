/** A small hand-written SVG line chart (log-scale y, optionally log-scale x) for benchmark figures. */

export interface Series {
  name: string;
  color: string;
  /** [x, y] points; points ≤ 0 on a log axis are dropped. */
  points: [number, number][];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(lo: number, hi: number, n = 6): number[] {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= n) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** An SVG document: lines with markers, log10 y (and x with `logX`), axes, grid and a legend. */
export function lineChartSvg(opts: { title: string; xLabel: string; yLabel: string; series: Series[]; logX?: boolean; width?: number; height?: number }): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 440;
  const m = { l: 72, r: 170, t: 40, b: 56 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const keep = ([x, y]: [number, number]) => y > 0 && (!opts.logX || x > 0);
  const pts = opts.series.flatMap((s) => s.points.filter(keep));
  const logX = opts.logX ?? false;
  const xmax = logX ? Math.ceil(Math.log10(Math.max(...pts.map((p) => p[0])))) : Math.max(...pts.map((p) => p[0]), 1e-9);
  const xmin = logX ? Math.floor(Math.log10(Math.min(...pts.map((p) => p[0])))) : 0;
  const ly = pts.map((p) => Math.log10(p[1]));
  const ymin = Math.floor(Math.min(...ly));
  const ymax = Math.ceil(Math.max(...ly));
  const X = (x: number) => m.l + (((logX ? Math.log10(x) : x) - xmin) / (xmax - xmin || 1)) * pw;
  const Y = (y: number) => m.t + (1 - (Math.log10(y) - ymin) / (ymax - ymin || 1)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="22" text-anchor="middle" font-size="14">${esc(opts.title)}</text>`);
  for (let e = ymin; e <= ymax; e++) {
    const y = Y(10 ** e);
    out.push(`<line x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 8}" y="${y + 4}" text-anchor="end">1e${e}</text>`);
  }
  const xticks = logX ? Array.from({ length: xmax - xmin + 1 }, (_, k) => 10 ** (xmin + k)) : niceTicks(xmin, xmax);
  for (const t of xticks) {
    const x = X(t);
    out.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${m.t + ph + 18}" text-anchor="middle">${logX ? Number(t.toPrecision(6)) : t}</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${H - 14}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  out.push(`<text x="18" y="${m.t + ph / 2}" text-anchor="middle" transform="rotate(-90 18 ${m.t + ph / 2})">${esc(opts.yLabel)}</text>`);
  opts.series.forEach((s, k) => {
    const p = s.points.filter(keep);
    if (p.length > 0) {
      const d = p.map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
      for (const [x, y] of p) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="2.2" fill="${s.color}"/>`);
    }
    const ly0 = m.t + 14 + k * 20;
    out.push(`<line x1="${m.l + pw + 14}" y1="${ly0}" x2="${m.l + pw + 38}" y2="${ly0}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${m.l + pw + 44}" y="${ly0 + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
