#!/usr/bin/env node
'use strict';
// Self-test of the provider-simulation proxy: a trivial JSON-RPC upstream in this process,
// proxy.js as a child process (the way scripts/bench runs it) with --latency-ms 50 --mb-per-s 1
// --max-rps 5, then: latency, pacing, keep-alive, the rate limit (429 + Retry-After: 1, not
// forwarded), parallel serving, /stats against what the client and the upstream saw, and the
// stats file written on SIGTERM. A second proxy (no latency, 50 MB/s, no rate limit) relays 16
// parallel 1 MB answers byte for byte.
//
//   node tests/provider-proxy/selftest.js        exit 0 when everything holds, 1 with a message
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'provider-proxy-selftest-'));
const children = [];
let checks = 0;

function ok(cond, msg) {
  if (!cond) throw new Error(`FAILED: ${msg}`);
  checks++;
}
const eq = (a, b, msg) => ok(a === b, `${msg}: got ${String(a)}, want ${String(b)}`);
const say = (msg) => console.log(`provider-proxy selftest: ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the upstream: {"method":"size","params":[N]} answers a result string of N bytes' worth ----

const upstreamHits = { requests: 0, connections: 0 };
const payloads = new Map();
function bodyFor(msg) {
  const n = msg.method === 'size' ? msg.params[0] : 0;
  // A deterministic, non-repeating payload, so a reordered or lost chunk shows.
  if (!payloads.has(n)) {
    const parts = [];
    let len = 0;
    for (let i = 0; len < n; i++) { const p = (i * 2654435761 >>> 0).toString(36); parts.push(p); len += p.length; }
    payloads.set(n, parts.join('').slice(0, n));
  }
  return JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: payloads.get(n) });
}
function startUpstream() {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      upstreamHits.requests++;
      const b = Buffer.from(bodyFor(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': b.length });
      res.end(b);
    });
  });
  server.on('connection', () => { upstreamHits.connections++; });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

async function startProxy(upstreamUrl, name, flags) {
  const portFile = path.join(work, `port-${name}`);
  const statsFile = path.join(work, `stats-${name}.json`);
  const proc = spawn(process.execPath, [path.join(__dirname, 'proxy.js'), '--upstream', upstreamUrl, '--port-file', portFile, '--stats-file', statsFile, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(proc);
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  const t0 = Date.now();
  while (!fs.existsSync(portFile)) {
    if (proc.exitCode !== null || Date.now() - t0 > 10000) throw new Error(`proxy.js did not start: ${stderr}`);
    await sleep(20);
  }
  return { port: Number(fs.readFileSync(portFile, 'utf8').trim()), proc, statsFile, exited, stderr: () => stderr };
}

let nextId = 1;
/// One POST through `agent`; resolves { status, headers, body, ms, reused }.
function post(port, agent, method, params = []) {
  const id = nextId++;
  const payload = JSON.stringify({ jsonrpc: '2.0', id, method, params });
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ id, status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - t0) / 1e6, reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(15000, () => req.destroy(new Error(`${method} through the proxy: no answer within 15 s`)));
    req.end(payload);
  });
}

function getStats(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/stats', agent: false }, (res) => {
      let s = '';
      res.on('data', (d) => { s += d; });
      res.on('end', () => { try { resolve(JSON.parse(s)); } catch (e) { reject(new Error(`/stats is not JSON: ${s}`)); } });
    }).on('error', reject);
  });
}

// ---- the checks --------------------------------------------------------------------------------

async function main() {
  const upstream = await startUpstream();
  const upstreamUrl = `http://127.0.0.1:${upstream.address().port}/`;
  const p = await startProxy(upstreamUrl, 'limited', ['--latency-ms', '50', '--mb-per-s', '1', '--max-rps', '5']);
  const keep = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let clientBytes = 0;
  let clientRequests = 0;
  const count = (r) => { clientRequests++; clientBytes += Buffer.byteLength(r.body); return r; };

  // Latency, and keep-alive between the client and the proxy.
  const a = count(await post(p.port, keep, 'ping'));
  eq(a.status, 200, 'a small answer: status');
  eq(a.body, bodyFor({ method: 'ping', id: a.id }), 'a small answer: body relayed');
  ok(a.ms >= 50, `a small answer takes at least the 50 ms latency (took ${a.ms.toFixed(1)} ms)`);
  const b = count(await post(p.port, keep, 'ping'));
  eq(b.status, 200, 'a second answer on the same connection: status');
  ok(b.reused, 'the second request reused the keep-alive connection');
  say(`latency: answers after ${a.ms.toFixed(0)} and ${b.ms.toFixed(0)} ms, the second on the same connection`);

  // Pacing: 200 kB at 1 MB/s take about 0.2 s on top of the latency.
  await sleep(1100);
  const big = count(await post(p.port, keep, 'size', [200000]));
  eq(big.status, 200, 'a 200 kB answer: status');
  eq(big.body, bodyFor({ method: 'size', params: [200000], id: big.id }), 'a 200 kB answer: body relayed byte for byte');
  ok(big.ms >= 50 + 190, `a 200 kB answer at 1 MB/s takes at least 0.24 s (took ${big.ms.toFixed(0)} ms)`);
  ok(big.ms < 3000, `a 200 kB answer at 1 MB/s takes less than 3 s (took ${big.ms.toFixed(0)} ms)`);
  ok(upstreamHits.connections === 1, `the proxy kept one keep-alive connection to the upstream (${upstreamHits.connections} opened)`);
  say(`pacing: ${Buffer.byteLength(big.body)} bytes in ${big.ms.toFixed(0)} ms`);

  // The rate limit: 12 at once, with the bucket full (5): 5 forwarded, 7 answered 429 at once.
  await sleep(1100);
  const hitsBefore = upstreamHits.requests;
  const burstAgent = new http.Agent({ keepAlive: true, maxSockets: 12 });
  const t0 = Date.now();
  const burst = (await Promise.all(Array.from({ length: 12 }, () => post(p.port, burstAgent, 'ping')))).map(count);
  const burstMs = Date.now() - t0;
  const limited = burst.filter((r) => r.status === 429);
  const served = burst.filter((r) => r.status === 200);
  eq(limited.length + served.length, 12, 'every answer of the burst is 200 or 429');
  ok(limited.length >= 5 && limited.length <= 7, `5 to 7 of 12 requests fired at once get 429 at --max-rps 5 (got ${limited.length})`);
  for (const r of limited) {
    eq(r.headers['retry-after'], '1', 'a 429 answer has Retry-After: 1');
    const j = JSON.parse(r.body);
    ok(j.error && typeof j.error.message === 'string' && j.id === r.id, `a 429 answer has a JSON-RPC error body with the request's id: ${r.body}`);
  }
  for (const r of served) eq(r.body, bodyFor({ method: 'ping', id: r.id }), 'a forwarded answer of the burst: body');
  eq(upstreamHits.requests - hitsBefore, served.length, 'the upstream saw exactly the requests not answered 429');
  ok(burstMs < 50 * served.length, `the forwarded requests were served in parallel (${served.length} in ${burstMs} ms)`);
  say(`rate limit: ${served.length} forwarded, ${limited.length} answered 429, in ${burstMs} ms`);

  // /stats against what the client and the upstream saw.
  const s = await getStats(p.port);
  eq(s.requests, clientRequests, '/stats requests');
  eq(s.forwarded, upstreamHits.requests, '/stats forwarded');
  eq(s.rate_limited, limited.length, '/stats rate_limited');
  eq(s.bytes_sent, clientBytes, '/stats bytes_sent');
  eq(s.in_flight, 0, '/stats in_flight when idle');
  ok(s.max_in_flight >= served.length && s.max_in_flight <= 12, `/stats max_in_flight ${s.max_in_flight} is between ${served.length} and 12`);
  eq(s.upstream_errors, 0, '/stats upstream_errors');
  // One keep-alive connection for the sequential requests, one per request of the burst (at most),
  // and the /stats request's own.
  ok(s.connections >= 2 && s.connections <= 1 + 12 + 1, `/stats connections ${s.connections} is between 2 and 14`);

  // SIGTERM writes the same stats to --stats-file and exits 0.
  p.proc.kill('SIGTERM');
  const ex = await p.exited;
  eq(ex.code, 0, `proxy.js exit code on SIGTERM (${p.stderr().trim()})`);
  ok(fs.existsSync(p.statsFile), '--stats-file written on SIGTERM');
  eq(JSON.stringify(JSON.parse(fs.readFileSync(p.statsFile, 'utf8'))), JSON.stringify(s), '--stats-file equals the last /stats');
  say(`stats: ${JSON.stringify(s)}`);

  // Under load: 16 parallel connections, 1 MB answers at 50 MB/s each, relayed byte for byte.
  const q = await startProxy(upstreamUrl, 'load', ['--mb-per-s', '50']);
  const loadAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const t1 = Date.now();
  const load = await Promise.all(Array.from({ length: 16 }, () => post(q.port, loadAgent, 'size', [1000000])));
  const loadMs = Date.now() - t1;
  for (const r of load) {
    eq(r.status, 200, 'a 1 MB answer under load: status');
    ok(r.body === bodyFor({ method: 'size', params: [1000000], id: r.id }), `a 1 MB answer under load is relayed byte for byte (${r.body.length} bytes)`);
    ok(r.ms >= 19, `a 1 MB answer at 50 MB/s takes at least 20 ms (took ${r.ms.toFixed(0)} ms)`);
  }
  const qs = await getStats(q.port);
  ok(qs.max_in_flight >= 8, `16 parallel requests were in flight together (max_in_flight ${qs.max_in_flight})`);
  eq(qs.rate_limited, 0, 'no 429 without --max-rps');
  say(`load: 16 x 1 MB at 50 MB/s each in ${loadMs} ms, max in flight ${qs.max_in_flight}`);
  q.proc.kill('SIGTERM');
  await q.exited;

  keep.destroy();
  burstAgent.destroy();
  loadAgent.destroy();
  upstream.close();
  fs.rmSync(work, { recursive: true, force: true });
  say(`PASS (${checks} checks)`);
}

setTimeout(() => {
  console.error('provider-proxy selftest: FAILED: not done within 90 s');
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
}, 90000).unref();

main().then(() => process.exit(0), (e) => {
  console.error(`provider-proxy selftest: ${e.message}`);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
