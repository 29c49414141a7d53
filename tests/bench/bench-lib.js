'use strict';
// What the bench generators and fast fake nodes of tests/bench share: the seeded PRNG, the
// JSON-RPC server over precomputed answers and the measurement of a node's own ceiling.
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

/// mulberry32: a small, fast, seeded PRNG (a chain must be the same on every machine).
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/// Serves `node` on 127.0.0.1 (its port written to portFile once listening) until SIGTERM.
/// node.answer(call) gives the Buffers of one call's answer; node.setTip(value) and node.stats
/// serve POST /control {"op":"tip", <o.tipKey>: value} and {"op":"stats"}; node.stats.requests
/// and .bytes are counted. o.parseError is [HTTP status, body] for a body that is not JSON (each
/// node answers it the way its real counterpart does); o.emptyBatch, when set, the body for `[]`.
function serve(node, portFile, o) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const send = (status, parts) => {
        const len = parts.reduce((s, b) => s + b.length, 0);
        node.stats.bytes += len;
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': len });
        for (const b of parts) res.write(b);
        res.end();
      };
      let body;
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch (_) {
        return send(o.parseError[0], [Buffer.from(o.parseError[1])]);
      }
      try {
        if (req.url === '/control') {
          const reply = body.op === 'tip' ? node.setTip(body[o.tipKey]) : body.op === 'stats' ? node.stats : null;
          if (!reply) throw new Error(`unknown op ${body.op} (tip, stats)`);
          return send(200, [Buffer.from(JSON.stringify({ ok: true, ...reply }))]);
        }
        node.stats.requests++;
        if (!Array.isArray(body)) return send(200, node.answer(body));
        if (body.length === 0 && o.emptyBatch) return send(200, [Buffer.from(o.emptyBatch)]);
        const parts = [Buffer.from('[')];
        body.forEach((c, i) => { if (i) parts.push(Buffer.from(',')); parts.push(...node.answer(c)); });
        parts.push(Buffer.from(']'));
        return send(200, parts);
      } catch (e) {
        return send(400, [Buffer.from(JSON.stringify({ ok: false, error: e.message }))]);
      }
    });
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, '127.0.0.1', () => {
    fs.writeFileSync(`${portFile}.tmp`, `${server.address().port}\n`);
    fs.renameSync(`${portFile}.tmp`, portFile);
    process.stderr.write(`${o.describe(server.address().port)}\n`);
  });
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
}

/// A node's ceiling: `script --dir dir` serving in a child process, `first` (a request body, or
/// null) sent once, then every body of `bodies` over `connections` keep-alive connections, the
/// answers discarded; calls report(seconds, bytes received) when done.
function measureCeiling(script, dir, connections, first, bodies, report) {
  const { spawn } = require('node:child_process');
  const portFile = path.join(os.tmpdir(), `${path.basename(script, '.js')}-measure-${process.pid}`);
  const child = spawn(process.execPath, [script, '--dir', dir, '--port-file', portFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  const waitPort = () => new Promise((resolve) => {
    const t = setInterval(() => { if (fs.existsSync(portFile)) { clearInterval(t); resolve(Number(fs.readFileSync(portFile, 'utf8'))); } }, 20);
  });
  return waitPort().then((port) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    let bytes = 0;
    const post = (body) => new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
        res.on('data', (c) => { bytes += c.length; });
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
    let next = 0;
    const one = () => (next >= bodies.length ? Promise.resolve() : post(bodies[next++]).then(one));
    const t0 = process.hrtime.bigint();
    return (first ? post(first) : Promise.resolve())
      .then(() => Promise.all(Array.from({ length: connections }, one)))
      .then(() => report(Number(process.hrtime.bigint() - t0) / 1e9, bytes));
  }).finally(() => { child.kill(); fs.rmSync(portFile, { force: true }); });
}

/// The value of flag `flag` as a non-negative integer, or an Error naming the flag and the value.
function nonNegativeInt(flag, v) {
  if (!/^\d+$/.test(String(v))) throw new Error(`${flag} needs a non-negative integer, not '${v}'`);
  return Number(v);
}

/// Whether `out` already holds a generator's chain of these params (meta.json's `params`): then
/// it is reused as it is; else it is removed, to be generated anew.
function reuseGenerated(name, out, params) {
  const metaFile = path.join(out, 'meta.json');
  if (fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (JSON.stringify(meta.params) === JSON.stringify(params)) {
      process.stderr.write(`${name}: reusing ${out}\n`);
      return true;
    }
    fs.rmSync(out, { recursive: true, force: true });
  }
  return false;
}

module.exports = { prng, serve, measureCeiling, reuseGenerated, nonNegativeInt };
