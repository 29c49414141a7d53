#!/usr/bin/env node
'use strict';
// Checks packaging/monitoring/chainidx-dashboard.json against a running Prometheus: the dashboard's
// shape (what Grafana needs to import it: unique ids, panels inside the 24-column grid, every
// panel on the ${datasource} variable with at least one query), then every panel's query,
// evaluated through Prometheus's HTTP API with the dashboard's variables filled in, must return
// at least one series. Prints one line per query; exits 1 naming each one that failed.
//
//   node dashboard-queries.js --prometheus URL --chain NAME [--dashboard FILE] [--rate-interval 30s]
const fs = require('node:fs');
const path = require('node:path');

function args() {
  const a = process.argv.slice(2);
  const get = (k, d) => { const i = a.indexOf(k); return i >= 0 && i + 1 < a.length ? a[i + 1] : d; };
  const o = {
    prometheus: get('--prometheus'),
    chain: get('--chain'),
    dashboard: get('--dashboard', path.join(__dirname, '../../packaging/monitoring/chainidx-dashboard.json')),
    rateInterval: get('--rate-interval', '30s'),
  };
  if (!o.prometheus || !o.chain) {
    console.error('usage: node dashboard-queries.js --prometheus URL --chain NAME [--dashboard FILE] [--rate-interval 30s]');
    process.exit(2);
  }
  return o;
}

// Grafana's variables as a dashboard user would have them: one chain picked.
function fill(expr, o) {
  return expr.replaceAll('$__rate_interval', o.rateInterval).replaceAll('$chain', o.chain);
}

function shapeProblems(d) {
  const problems = [];
  const ids = new Set();
  const vars = new Set((d.templating?.list ?? []).map((v) => v.name));
  for (const v of ['datasource', 'chain']) if (!vars.has(v)) problems.push(`no $${v} variable in templating`);
  for (const p of d.panels ?? []) {
    const where = `panel ${p.id} "${p.title}"`;
    if (ids.has(p.id)) problems.push(`${where}: id used twice`);
    ids.add(p.id);
    const g = p.gridPos ?? {};
    if (!(g.w > 0 && g.h > 0 && g.x >= 0 && g.x + g.w <= 24)) problems.push(`${where}: gridPos ${JSON.stringify(g)} is outside the 24-column grid`);
    if (p.type === 'row') continue;
    if (p.datasource?.uid !== '${datasource}') problems.push(`${where}: datasource is not the \${datasource} variable`);
    if (!(p.targets ?? []).length) problems.push(`${where}: no query`);
    for (const t of p.targets ?? []) {
      if (!t.expr) problems.push(`${where}: target ${t.refId} has no expr`);
      else if (!t.expr.includes('$chain')) problems.push(`${where}: query ${t.refId} ignores the chain picked ($chain)`);
    }
  }
  return problems;
}

async function query(base, expr) {
  const url = `${base}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const res = await fetch(url);
  const body = await res.json().catch(() => ({}));
  if (res.status !== 200 || body.status !== 'success')
    return { error: `HTTP ${res.status}: ${body.errorType ?? ''} ${body.error ?? ''}`.trim() };
  return { series: body.data.result };
}

async function main() {
  const o = args();
  const d = JSON.parse(fs.readFileSync(o.dashboard, 'utf8'));
  const failures = shapeProblems(d);
  let queries = 0;
  for (const p of d.panels ?? []) {
    if (p.type === 'row') continue;
    for (const t of p.targets ?? []) {
      if (!t.expr) continue;
      queries++;
      const expr = fill(t.expr, o);
      const r = await query(o.prometheus, expr);
      const what = `"${p.title}" ${t.refId}`;
      if (r.error) failures.push(`${what}: ${r.error}: ${expr}`);
      else if (r.series.length === 0) failures.push(`${what}: no series: ${expr}`);
      else console.log(`ok: ${what}: ${r.series.length} series, e.g. ${JSON.stringify(r.series[0].metric)} = ${r.series[0].value[1]}`);
    }
  }
  for (const f of failures) console.error(`FAIL: ${f}`);
  console.log(`${queries} dashboard queries, ${failures.length} problem(s)`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
