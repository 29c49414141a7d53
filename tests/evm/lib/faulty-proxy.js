'use strict';
// A JSON-RPC proxy on 127.0.0.1 in front of anvil that behaves like a strict provider: it refuses
// eth_getLogs over more than `maxLogRange` blocks (the error wording of geth/Alchemy), and answers
// the first `fail503` requests with HTTP 503 + Retry-After, and delays every answer by `delayMs`.
// Counts what it did.
const http = require('node:http');

function startFaultyProxy(targetUrl, { maxLogRange = 8, fail503 = 1, delayMs = 0 } = {}) {
  const stats = { requests: 0, refusedRanges: 0, served503: 0, largestLogRange: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      stats.requests++;
      if (stats.served503 < fail503) {
        stats.served503++;
        res.writeHead(503, { 'Retry-After': '0', 'Content-Type': 'text/plain' });
        res.end('upstream busy');
        return;
      }
      let msg = null;
      try { msg = JSON.parse(body); } catch (_) { /* forwarded as is */ }
      // eth_getLogs alone or in a batch (chainidx asks for a span's logs with its headers):
      // a refused call gets the error, the batch's other calls their answers.
      const calls = msg ? [].concat(msg) : [];
      const refused = new Map(); // id -> error answer
      for (const m of calls) {
        if (!m || m.method !== 'eth_getLogs') continue;
        const f = m.params[0];
        const span = parseInt(f.toBlock, 16) - parseInt(f.fromBlock, 16) + 1;
        if (span > maxLogRange) {
          stats.refusedRanges++;
          refused.set(m.id, { jsonrpc: '2.0', id: m.id, error: { code: -32005, message: `query returned more than 10000 results. Try with this block range [${f.fromBlock}, ${f.toBlock}].` } });
        } else {
          stats.largestLogRange = Math.max(stats.largestLogRange, span);
        }
      }
      if (refused.size && !Array.isArray(msg)) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(refused.get(msg.id)));
        return;
      }
      if (refused.size) {
        const up = await fetch(targetUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
        const answers = (await up.json()).map((a) => refused.get(a.id) || a);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answers));
        return;
      }
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const upstream = await fetch(targetUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      const text = await upstream.text();
      res.writeHead(upstream.status, { 'Content-Type': 'application/json' });
      res.end(text);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({ url, stats, stop: () => new Promise((r) => server.close(r)) });
    });
  });
}

module.exports = { startFaultyProxy };
