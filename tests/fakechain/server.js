#!/usr/bin/env node
'use strict';
// A fake Bitcoin or Solana JSON-RPC node serving real mainnet blocks as a small chain with a
// fork (see README.md), with fault injection for client tests.
//
//   node tests/fakechain/server.js --family bitcoin|solana --port-file FILE [--port 0] [--no-prevout]
//
// POST /         JSON-RPC, single or batch.
// POST /control  {"op":"branch"|"tip"|"fault"|"clear"|"stats"|"state"|"finalized_lag", ...}
const fs = require('node:fs');
const http = require('node:http');
const { toJson, RpcError } = require('./util');

const FAULTS = ['429', '500', 'reset', 'hang', 'truncate', 'malformed', 'wrong_chain'];

function parseArgs(argv) {
  const o = { port: 0, noPrevout: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--family') o.family = argv[++i];
    else if (a === '--port-file') o.portFile = argv[++i];
    else if (a === '--port') o.port = Number(argv[++i]);
    else if (a === '--no-prevout') o.noPrevout = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!['bitcoin', 'solana'].includes(o.family) || !o.portFile || !Number.isInteger(o.port)) {
    throw new Error('usage: server.js --family bitcoin|solana --port-file FILE [--port 0] [--no-prevout]');
  }
  return o;
}

const log = (msg) => process.stderr.write(`fakechain: ${msg}\n`);

function createServer({ family, noPrevout = false }) {
  const node = family === 'bitcoin'
    ? new (require('./btc-rpc').BitcoinNode)({ noPrevout })
    : new (require('./sol-rpc').SolanaNode)();
  const faults = []; // FIFO of { kind, count, method }
  const stats = { requests: 0, by_method: {}, faults_injected: [] };
  const hung = new Set();

  // ---- one JSON-RPC call -> a response object (null for a JSON-RPC 2.0 notification) ----
  function call(req) {
    const id = req && req.id !== undefined ? req.id : null;
    let result;
    let error = null;
    if (!req || typeof req !== 'object' || Array.isArray(req) || typeof req.method !== 'string') {
      error = { code: -32600, message: 'Invalid Request' };
    } else {
      try {
        result = node.handle(req.method, req.params === undefined ? [] : req.params);
      } catch (e) {
        if (!(e instanceof RpcError)) throw e;
        error = { code: e.code, message: e.message };
      }
    }
    if (family === 'solana') {
      if (req && req.id === undefined && !error) return null;
      return error ? { jsonrpc: '2.0', error, id } : { jsonrpc: '2.0', result, id };
    }
    // Bitcoin Core's shape: result, error and id always present; "2.0" requests get it echoed.
    const out = req && req.jsonrpc === '2.0' ? { jsonrpc: '2.0' } : {};
    return Object.assign(out, { result: error ? null : result, error, id });
  }

  /// Bitcoin Core (legacy JSON-RPC 1.0) answers a failed single call with HTTP 500, or 404 for
  /// an unknown method, 400 for an invalid request; JSON-RPC 2.0 calls and batches get 200.
  function httpStatus(parsed, response) {
    if (family !== 'bitcoin' || Array.isArray(parsed) || !response || !response.error) return 200;
    if (parsed && parsed.jsonrpc === '2.0') return 200;
    if (response.error.code === -32601) return 404;
    if (response.error.code === -32600) return 400;
    return 500;
  }

  function rpc(body, req, res) {
    stats.requests++;
    let parsed;
    let parseFailed = false;
    try { parsed = JSON.parse(body); } catch (_) { parseFailed = true; }
    const calls = parseFailed ? [] : (Array.isArray(parsed) ? parsed : [parsed]);
    const methods = calls.map((c) => (c && typeof c.method === 'string' ? c.method : '?'));
    for (const m of methods) stats.by_method[m] = (stats.by_method[m] || 0) + 1;

    // A batch is one HTTP request: it takes at most one queued fault.
    const fi = faults.findIndex((f) => !f.method || methods.includes(f.method));
    const fault = fi >= 0 ? faults[fi] : null;
    if (fault && --fault.count === 0) faults.splice(fi, 1);
    if (fault) {
      stats.faults_injected.push({ kind: fault.kind, request: stats.requests, methods });
      log(`fault ${fault.kind} on request #${stats.requests} (${methods.join(',') || 'no method'})`);
    }
    if (node.wrongChain && methods.some((m) => m === 'getblockchaininfo' || m === 'getGenesisHash' || m === 'getblockhash')) {
      stats.faults_injected.push({ kind: 'wrong_chain', request: stats.requests, methods });
      log(`fault wrong_chain on request #${stats.requests} (${methods.join(',')})`);
    }

    if (fault && fault.kind === '429') return send(res, 429, 'Too Many Requests\n', 'text/plain', { 'Retry-After': '1' });
    if (fault && fault.kind === '500') return send(res, 500, 'Internal Server Error\n', 'text/plain');
    if (fault && fault.kind === 'reset') {
      if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy(); else req.socket.destroy();
      return undefined;
    }
    if (fault && fault.kind === 'hang') {
      // Never answer; the client's timeout must fire. The socket is closed after 60 s.
      hung.add(req.socket);
      setTimeout(() => { hung.delete(req.socket); req.socket.destroy(); }, 60000).unref();
      return undefined;
    }
    if (fault && fault.kind === 'malformed') return send(res, 200, '{"jsonrpc":"2.0","result":{', 'application/json');

    let text;
    let status = 200;
    if (parseFailed) {
      const err = { code: -32700, message: 'Parse error' };
      text = toJson(family === 'solana' ? { jsonrpc: '2.0', error: err, id: null } : { result: null, error: err, id: null });
      status = family === 'bitcoin' ? 500 : 200;
    } else if (Array.isArray(parsed)) {
      text = parsed.length === 0
        ? toJson(family === 'solana' ? { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid request' }, id: null } : { result: null, error: { code: -32600, message: 'Invalid Request object' }, id: null })
        : toJson(parsed.map(call).filter((r) => r !== null));
    } else {
      const r = call(parsed);
      status = httpStatus(parsed, r);
      text = r === null ? '' : toJson(r);
    }
    if (fault && fault.kind === 'truncate') {
      const full = Buffer.from(text);
      return send(res, status, full.subarray(0, Math.floor(full.length / 2)), 'application/json');
    }
    return send(res, status, text, 'application/json');
  }

  function control(body, res) {
    let op;
    try { op = JSON.parse(body); } catch (_) { return send(res, 400, toJson({ ok: false, error: 'body is not JSON' }), 'application/json'); }
    const reply = (extra) => send(res, 200, toJson({ ok: true, ...extra }), 'application/json');
    try {
      switch (op && op.op) {
        case 'branch': return reply(node.setBranch(op.name));
        case 'tip': return reply(node.setTip(family === 'bitcoin' ? op.height : op.slot));
        case 'fault': {
          if (!FAULTS.includes(String(op.kind))) throw new Error(`unknown fault kind ${op.kind} (${FAULTS.join(', ')})`);
          if (op.kind === 'wrong_chain') { node.wrongChain = true; return reply({ wrong_chain: true }); }
          const count = op.count === undefined ? 1 : op.count;
          if (!Number.isInteger(count) || count < 1) throw new Error('count must be an integer >= 1');
          faults.push({ kind: String(op.kind), count, method: op.method });
          return reply({ queued: faults.reduce((s, f) => s + f.count, 0) });
        }
        case 'clear':
          faults.length = 0;
          node.wrongChain = false;
          return reply({});
        case 'stats': return reply(JSON.parse(JSON.stringify(stats)));
        case 'state': return reply({ ...node.state(), wrong_chain: node.wrongChain, queued_faults: faults });
        case 'finalized_lag':
          if (family !== 'solana') throw new Error('finalized_lag is for solana');
          return reply(node.setFinalizedLag(op.lag ?? op.value ?? op.finalized_lag));
        default: throw new Error(`unknown op ${op && op.op}`);
      }
    } catch (e) {
      return send(res, 400, toJson({ ok: false, error: e.message }), 'application/json');
    }
  }

  function send(res, status, body, type, headers = {}) {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': buf.length, ...headers });
    res.end(buf);
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        if (req.method !== 'POST') return send(res, 405, 'only POST\n', 'text/plain');
        if (req.url === '/control') return control(body, res);
        return rpc(body, req, res);
      } catch (e) {
        log(`internal error: ${e.stack}`);
        return send(res, 500, `fakechain internal error: ${e.message}\n`, 'text/plain');
      }
    });
  });
  server.node = node;
  server.closeHung = () => { for (const s of hung) s.destroy(); hung.clear(); };
  return server;
}

module.exports = { createServer };

if (require.main === module) {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) { log(e.message); process.exit(2); }
  const server = createServer(opts);
  server.listen(opts.port, '127.0.0.1', () => {
    const { port } = server.address();
    // Write then rename, so a reader never sees a half-written port.
    fs.writeFileSync(`${opts.portFile}.tmp`, `${port}\n`);
    fs.renameSync(`${opts.portFile}.tmp`, opts.portFile);
    log(`${opts.family} node on http://127.0.0.1:${port}/ (${JSON.stringify(server.node.state())})`);
  });
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
}
