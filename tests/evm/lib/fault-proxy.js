'use strict';
// A JSON-RPC proxy on 127.0.0.1 in front of anvil whose faults a test scripts, for
// tests/evm/fault-e2e.js. Fault kinds:
//
//   429        HTTP 429 with Retry-After (default 1 s)
//   500        HTTP 500
//   reset      the connection is reset (RST) once the request has been read
//   hang       no answer at all, until the client gives up (its rpc_timeout_ms)
//   truncate   a valid upstream answer cut in half: alternately with a Content-Length that
//              matches the cut body (a JSON parse error) and with the full Content-Length and the
//              connection closed midway (a transport error)
//   malformed  HTTP 200 with a body that is not JSON: alternately broken JSON syntax and an HTML
//              error page
//   wrong_chain  eth_chainId answers another chain id (setChainId)
//
// Faults come from, in this order: an outage (every matching request fails), a plan (a list of
// steps, each failing `times` consecutive matching requests after letting `skip` through: a burst
// on one method lands on the retries of the same call; a step may also match on the request body), and random faults at a rate from a seeded
// PRNG (runs repeat). A fault may target one method (the first method of a batch) or all requests.
// `stats.injected` counts what was injected per kind; `stats.byMethod` per kind and method.
//
// Also: `lag(head)` makes the node look behind (eth_blockNumber, block tags and numbers above it,
// eth_getLogs cut at it),
// `setDelay(ms)` adds latency to every answer, and `onRequest(fn)` runs an async hook before a
// request is forwarded (e.g. to reorganise the chain between two requests of one range).
const http = require('node:http');
const { prng } = require('./traffic');

const KINDS = ['429', '500', 'reset', 'hang', 'truncate', 'malformed', 'wrong_chain'];
const hex = (n) => '0x' + n.toString(16);

function emptyCounts() {
  return Object.fromEntries(KINDS.map((k) => [k, 0]));
}

async function startFaultProxy(targetUrl, { retryAfter = 1 } = {}) {
  const stats = { requests: 0, forwarded: 0, injected: emptyCounts(), byMethod: {}, paths: new Set(), methods: {} };
  const state = {
    plan: [], // [{ kind, times, method, skip }], consumed in order
    random: null, // { rate, rng, kinds, method }
    outage: null, // { kinds, method, after, seen }
    chainId: null,
    lagHead: null,
    delayMs: 0,
    hooks: [],
    variant: { truncate: 0, malformed: 0, outage: 0 },
  };
  const sockets = new Set();
  const hung = new Set();

  const matches = (method, filter) => !filter || (Array.isArray(filter) ? filter.includes(method) : filter === method);

  /// The fault for this request, or null: outage, then plan, then random.
  function pickFault(method, msg) {
    const o = state.outage;
    if (o && matches(method, o.method)) {
      if (o.seen >= o.after) return o.kinds[state.variant.outage++ % o.kinds.length];
      o.seen++;
    }
    const step = state.plan[0];
    if (step && matches(method, step.method) && (!step.match || step.match(msg))) {
      if (step.skip > 0) {
        step.skip--;
      } else {
        step.times--;
        if (step.times <= 0) state.plan.shift();
        return step.kind;
      }
    }
    const r = state.random;
    if (r && matches(method, r.method) && r.rng.next() < r.rate) return r.kinds[r.rng.int(r.kinds.length)];
    return null;
  }

  function count(kind, method) {
    stats.injected[kind]++;
    const k = `${kind} ${method}`;
    stats.byMethod[k] = (stats.byMethod[k] || 0) + 1;
  }

  async function upstream(body) {
    const res = await fetch(targetUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    return { status: res.status, text: await res.text() };
  }

  async function rpc(method, params) {
    const r = await upstream(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    const j = JSON.parse(r.text);
    if (j.error) throw new Error(`fault-proxy: upstream ${method}: ${j.error.message}`);
    return j.result;
  }

  /// A lagging node: answers for one call as a node whose head is state.lagHead would.
  async function lagAnswer(m) {
    const head = state.lagHead;
    if (m.method === 'eth_blockNumber') return { jsonrpc: '2.0', id: m.id, result: hex(head) };
    if (m.method === 'eth_getBlockByNumber') {
      const [tag, full] = m.params;
      let n;
      if (tag === 'latest' || tag === 'pending') n = head;
      else if (tag === 'safe' || tag === 'finalized' || tag === 'earliest') {
        const b = await rpc('eth_getBlockByNumber', [tag, false]);
        if (!b) return { jsonrpc: '2.0', id: m.id, result: null };
        n = Math.min(parseInt(b.number, 16), head);
      } else n = parseInt(tag, 16);
      if (n > head) return { jsonrpc: '2.0', id: m.id, result: null };
      return { jsonrpc: '2.0', id: m.id, result: await rpc('eth_getBlockByNumber', [hex(n), full]) };
    }
    if (m.method === 'eth_getLogs') {
      // As geth does: a range past the head is cut at the head, silently.
      const f = { ...m.params[0] };
      const from = parseInt(f.fromBlock, 16);
      if (from > head) return { jsonrpc: '2.0', id: m.id, result: [] };
      if (parseInt(f.toBlock, 16) > head) f.toBlock = hex(head);
      return { jsonrpc: '2.0', id: m.id, result: await rpc('eth_getLogs', [f]) };
    }
    return null;
  }

  async function forward(body, msg) {
    if (state.lagHead !== null && msg) {
      const msgs = [].concat(msg);
      const answers = [];
      let touched = false;
      for (const m of msgs) {
        const a = await lagAnswer(m);
        if (a) touched = true;
        answers.push(a || JSON.parse((await upstream(JSON.stringify(m))).text));
      }
      if (touched) return { status: 200, text: JSON.stringify(Array.isArray(msg) ? answers : answers[0]) };
    }
    if (state.chainId !== null && msg && !Array.isArray(msg) && msg.method === 'eth_chainId') {
      return { status: 200, text: JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: hex(state.chainId) }), wrongChain: true };
    }
    return upstream(body);
  }

  async function handle(req, res, body) {
    stats.requests++;
    stats.paths.add(req.url);
    let msg = null;
    try { msg = JSON.parse(body); } catch (_) { /* forwarded as is */ }
    const first = Array.isArray(msg) ? msg[0] : msg;
    // A batch that asks for logs (chainidx asks for a span's logs with its headers) counts as
    // eth_getLogs; any other batch by its first call.
    const asksLogs = Array.isArray(msg) && msg.some((m) => m && m.method === 'eth_getLogs');
    const method = asksLogs ? 'eth_getLogs' : (first && first.method) || '?';
    stats.methods[method] = (stats.methods[method] || 0) + 1;
    for (const hook of state.hooks) await hook(msg, method);
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));

    const kind = pickFault(method, msg);
    if (kind === '429') {
      count(kind, method);
      res.writeHead(429, { 'Retry-After': String(retryAfter), 'Content-Type': 'text/plain' });
      return res.end('Too Many Requests: the plan allows 25 requests/s');
    }
    if (kind === '500') {
      count(kind, method);
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      return res.end('Internal Server Error');
    }
    if (kind === 'reset') {
      count(kind, method);
      if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
      else req.socket.destroy();
      return undefined;
    }
    if (kind === 'hang') {
      count(kind, method);
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return undefined; // never answered; the client times out and closes, or stop() ends it
    }
    if (kind === 'malformed') {
      count(kind, method);
      const bodies = [
        `{"jsonrpc":"2.0","id":${first && first.id !== undefined ? JSON.stringify(first.id) : 1},"result":{"number":0x12,,]`,
        '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
      ];
      const b = bodies[state.variant.malformed++ % bodies.length];
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(b) });
      return res.end(b);
    }

    let up;
    try {
      up = await forward(body, msg);
    } catch (e) {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      return res.end(`fault-proxy: upstream failed: ${e.message}`);
    }
    if (up.wrongChain) count('wrong_chain', method);
    stats.forwarded++;
    if (kind === 'truncate') {
      count(kind, method);
      const full = Buffer.from(up.text);
      const half = full.subarray(0, Math.max(1, Math.floor(full.length / 2)));
      if (state.variant.truncate++ % 2 === 0) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': half.length });
        return res.end(half);
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': full.length });
      res.write(half);
      setTimeout(() => req.socket.destroy(), 20);
      return undefined;
    }
    res.writeHead(up.status, { 'Content-Type': 'application/json' });
    return res.end(up.text);
  }

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      handle(req, res, body).catch((e) => {
        try {
          res.writeHead(502);
          res.end(`fault-proxy: ${e.message}`);
        } catch (_) { /* the socket is gone */ }
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stats,
    /// Replaces the plan: [{ kind, times = 1, method, skip = 0, match }]; `match(body)`, when
    /// given, must also accept a request (its parsed JSON body) for the step to apply to it.
    plan(steps) {
      for (const s of steps) if (!KINDS.includes(s.kind)) throw new Error(`fault-proxy: unknown fault kind ${s.kind}`);
      state.plan = steps.map((s) => ({ times: 1, skip: 0, method: null, ...s }));
    },
    /// Plan steps not yet injected.
    pending: () => state.plan.map((s) => ({ ...s })),
    /// Random faults: each matching request fails with probability `rate`, kind drawn from `kinds`.
    random({ rate, seed = 1, kinds = ['500', 'reset', 'truncate', 'malformed'], method = null }) {
      state.random = { rate, rng: prng(seed), kinds, method };
    },
    /// Every matching request after the first `after` fails, cycling through `kinds`.
    outage({ kinds = ['500', 'reset'], method = null, after = 0 } = {}) {
      state.outage = { kinds, method, after, seen: 0 };
    },
    setChainId(id) { state.chainId = id; },
    lag(head) { state.lagHead = head; },
    setDelay(ms) { state.delayMs = ms; },
    onRequest(fn) { state.hooks.push(fn); },
    /// Back to a faithful proxy (counters are kept).
    clear() {
      Object.assign(state, { plan: [], random: null, outage: null, chainId: null, lagHead: null, delayMs: 0, hooks: [] });
    },
    stop() {
      for (const res of hung) res.destroy();
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

module.exports = { startFaultProxy, KINDS };
