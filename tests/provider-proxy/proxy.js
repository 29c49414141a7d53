#!/usr/bin/env node
'use strict';
// A provider-simulation proxy: an HTTP server on 127.0.0.1 that forwards every POST body to an
// upstream JSON-RPC node (anvil, tests/fakechain) and relays the answer the way a remote provider
// would give it: late, slowly, and not beyond a request rate. Node.js standard library only.
//
//   node tests/provider-proxy/proxy.js --upstream URL [--port 0] [--port-file FILE]
//        [--latency-ms L] [--mb-per-s M] [--max-rps R] [--stats-file FILE]
//
//   --latency-ms L  each answer starts L ms after the upstream's answer is complete (the request
//                   is forwarded at once, so an answer starts L ms + the upstream's own time after
//                   the request arrived); requests are served in parallel, never queued
//   --mb-per-s M    each response body is streamed at M MB/s (10^6 bytes/s) per request, in
//                   timer-paced chunks; parallel requests each get M. 0 (default) = unlimited
//   --max-rps R     at most R requests per second over all requests (a token bucket refilled at R/s,
//                   burst R); a request beyond it is answered at once with HTTP 429, Retry-After: 1
//                   and a JSON-RPC error body, and is not forwarded. 0 (default) = unlimited
//   --port-file F   the port, written once listening (F.tmp, then renamed to F)
//   --stats-file F  on SIGTERM/SIGINT the stats are written there (F.tmp, then renamed) before exit
//
// GET /stats answers the stats as JSON: requests (POSTs received), forwarded, rate_limited (429
// answers), upstream_errors (502 answers), client_aborts, bytes_sent (response body bytes written
// to clients), in_flight and max_in_flight (received but not finished, at once), connections
// (TCP connections accepted: with keep-alive, far fewer than requests). A JSON-RPC batch
// is one HTTP request. Response bodies are relayed uncompressed (the proxy does not gzip).
const fs = require('node:fs');
const http = require('node:http');

function usage(msg) {
  process.stderr.write(`provider-proxy: ${msg}\nusage: proxy.js --upstream URL [--port 0] [--port-file FILE] [--latency-ms L] [--mb-per-s M] [--max-rps R] [--stats-file FILE]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { upstream: null, port: 0, portFile: null, statsFile: null, latencyMs: 0, mbPerS: 0, maxRps: 0 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => (i + 1 < argv.length ? argv[++i] : usage(`${k} needs a value`));
    const num = (name) => {
      const s = v();
      const n = Number(s);
      if (s === '' || !Number.isFinite(n) || n < 0) usage(`${name} must be a non-negative number, not '${s}'`);
      return n;
    };
    if (k === '--upstream') o.upstream = v();
    else if (k === '--port') o.port = num(k);
    else if (k === '--port-file') o.portFile = v();
    else if (k === '--stats-file') o.statsFile = v();
    else if (k === '--latency-ms') o.latencyMs = num(k);
    else if (k === '--mb-per-s') o.mbPerS = num(k);
    else if (k === '--max-rps') o.maxRps = num(k);
    else if (k === '-h' || k === '--help') usage('help');
    else usage(`unknown argument ${k}`);
  }
  if (!o.upstream) usage('--upstream is required');
  let u;
  try { u = new URL(o.upstream); } catch (_) { usage(`bad --upstream URL ${o.upstream}`); }
  if (u.protocol !== 'http:') usage('--upstream must be an http:// URL');
  if (!Number.isInteger(o.port) || o.port > 65535) usage('--port must be 0..65535');
  return o;
}

const writeAtomic = (file, text) => {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
};

/// A token bucket of `rate` tokens per second holding at most `rate` (the burst); rate 0 = no limit.
function tokenBucket(rate) {
  let tokens = rate;
  let last = process.hrtime.bigint();
  return () => {
    if (!rate) return true;
    const now = process.hrtime.bigint();
    tokens = Math.min(rate, tokens + (Number(now - last) / 1e9) * rate);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  };
}

function createProxy(opts) {
  const upstream = new URL(opts.upstream);
  const upstreamPath = upstream.pathname + upstream.search;
  const agent = new http.Agent({ keepAlive: true });
  const stats = { requests: 0, forwarded: 0, rate_limited: 0, upstream_errors: 0, client_aborts: 0, bytes_sent: 0, in_flight: 0, max_in_flight: 0, connections: 0 };
  const take = tokenBucket(opts.maxRps);
  const bytesPerMs = opts.mbPerS * 1000; // 10^6 bytes/s
  const TICK_MS = 10;

  /// One POST to the upstream; resolves { status, headers, body } once the whole answer is read.
  /// A keep-alive socket the upstream closed meanwhile (ECONNRESET on a reused socket, before any
  /// answer) is retried once on a new one: JSON-RPC reads are idempotent.
  function forward(req, body, retried = false) {
    return new Promise((resolve, reject) => {
      const path = req.url === '/' ? upstreamPath : upstreamPath.replace(/\/$/, '') + req.url;
      const up = http.request({
        host: upstream.hostname, port: upstream.port || 80, path, method: 'POST', agent,
        headers: { 'Content-Type': req.headers['content-type'] || 'application/json', 'Content-Length': body.length, ...(req.headers.authorization ? { Authorization: req.headers.authorization } : {}) },
      }, (ures) => {
        const chunks = [];
        ures.on('data', (c) => chunks.push(c));
        ures.on('end', () => resolve({ status: ures.statusCode, headers: ures.headers, body: Buffer.concat(chunks) }));
        ures.on('error', reject);
        ures.on('aborted', () => reject(new Error('upstream answer aborted')));
      });
      up.on('error', (e) => {
        if (!retried && up.reusedSocket && e.code === 'ECONNRESET') forward(req, body, true).then(resolve, reject);
        else reject(e);
      });
      up.end(body);
    });
  }

  /// Writes body to res at bytesPerMs, in chunks every TICK_MS (honouring backpressure); no
  /// limit when bytesPerMs is 0.
  function sendBody(res, body) {
    if (!bytesPerMs || body.length === 0) {
      stats.bytes_sent += body.length;
      res.end(body);
      return;
    }
    let sent = 0;
    let credit = 0;
    let last = Date.now();
    let timer = null;
    const tick = () => {
      timer = null;
      if (res.destroyed) return;
      const now = Date.now();
      // Late timers are caught up on, but by at most 100 ms' worth (after a slow reader's
      // 'drain' the credit starts again from 0).
      credit = Math.min(credit + (now - last) * bytesPerMs, Math.max(100 * bytesPerMs, 1));
      last = now;
      const n = Math.min(Math.floor(credit), body.length - sent);
      if (n > 0) {
        const chunk = body.subarray(sent, sent + n);
        sent += n;
        credit -= n;
        stats.bytes_sent += n;
        if (sent === body.length) {
          res.end(chunk);
          return;
        }
        if (!res.write(chunk)) {
          res.once('drain', () => { last = Date.now(); credit = 0; schedule(); });
          return;
        }
      }
      schedule();
    };
    const schedule = () => { if (!res.destroyed) timer = setTimeout(tick, TICK_MS); };
    res.on('close', () => { if (timer) clearTimeout(timer); });
    schedule();
  }

  const jsonRpcError = (id, code, message) => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }));
  const idOf = (body) => {
    try {
      const m = JSON.parse(body.toString('utf8'));
      return m && !Array.isArray(m) && m.id !== undefined ? m.id : null;
    } catch (_) { return null; }
  };

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      req.resume();
      const b = Buffer.from(JSON.stringify(stats) + '\n');
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': b.length });
      res.end(b);
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.writeHead(405, { 'Content-Type': 'text/plain', 'Content-Length': 10 });
      res.end('only POST\n');
      return;
    }
    stats.requests++;
    stats.in_flight++;
    stats.max_in_flight = Math.max(stats.max_in_flight, stats.in_flight);
    let finished = false;
    res.on('finish', () => { finished = true; });
    res.on('close', () => {
      stats.in_flight--;
      if (!finished) stats.client_aborts++;
    });
    const allowed = take(); // decided on arrival
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      if (!allowed) {
        stats.rate_limited++;
        const b = jsonRpcError(idOf(body), 429, `rate limited: more than ${opts.maxRps} requests/s (provider-proxy)`);
        res.writeHead(429, { 'Content-Type': 'application/json', 'Content-Length': b.length, 'Retry-After': '1' });
        stats.bytes_sent += b.length;
        res.end(b);
        return;
      }
      stats.forwarded++;
      let answer;
      try {
        answer = await forward(req, body);
      } catch (e) {
        stats.upstream_errors++;
        answer = { status: 502, headers: { 'content-type': 'application/json' }, body: jsonRpcError(idOf(body), -32603, `provider-proxy: upstream error: ${e.message}`) };
      }
      // The latency counts from the upstream's complete answer (see the header).
      const start = () => {
        if (res.destroyed) return;
        const headers = { 'Content-Type': answer.headers['content-type'] || 'application/json', 'Content-Length': answer.body.length };
        if (answer.headers['retry-after']) headers['Retry-After'] = answer.headers['retry-after'];
        res.writeHead(answer.status, headers);
        sendBody(res, answer.body);
      };
      if (opts.latencyMs > 0) setTimeout(start, opts.latencyMs);
      else start();
    });
  });
  server.on('connection', () => { stats.connections++; });
  // chainidx keeps its connections (libcurl): do not close idle ones under it.
  server.keepAliveTimeout = 10 * 60 * 1000;
  server.headersTimeout = server.keepAliveTimeout + 1000;
  server.requestTimeout = 0;
  server.timeout = 0;
  server.stats = stats;
  return server;
}

module.exports = { createProxy };

if (require.main === module) {
  const opts = parseArgs(process.argv.slice(2));
  const server = createProxy(opts);
  const log = (m) => process.stderr.write(`provider-proxy: ${m}\n`);
  server.on('error', (e) => { log(`error: ${e.message}`); process.exit(1); });
  server.listen(opts.port, '127.0.0.1', () => {
    const { port } = server.address();
    if (opts.portFile) writeAtomic(opts.portFile, `${port}\n`);
    log(`http://127.0.0.1:${port}/ -> ${opts.upstream} (latency ${opts.latencyMs} ms, ${opts.mbPerS || 'unlimited'} MB/s per request, ${opts.maxRps || 'unlimited'} requests/s)`);
  });
  const stop = () => {
    if (opts.statsFile) {
      try { writeAtomic(opts.statsFile, JSON.stringify(server.stats) + '\n'); } catch (e) { log(`cannot write ${opts.statsFile}: ${e.message}`); }
    }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
