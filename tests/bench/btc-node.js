#!/usr/bin/env node
'use strict';
// A fast fake Bitcoin Core node for scripts/bench: serves the chain btc-gen.js wrote, from its
// precomputed bodies (no JSON is built or parsed per block), so that the node is never what
// limits chainidx. `--measure` prints the node's own ceiling instead of serving.
//
//   node tests/bench/btc-node.js --dir DIR --port-file FILE [--tip H] [--no-prevout]
//   node tests/bench/btc-node.js --dir DIR --measure [--connections C]
//
// Methods: getblockchaininfo, getblockcount, getbestblockhash, getblockhash, getblockheader
// (verbose), getblock (verbosity 1 is refused; 2 and 3 served, 3 as 2 with --no-prevout, as an old
// node does). POST /control {"op":"tip","height":H} serves only up to H; {"op":"stats"}.
const fs = require('node:fs');
const path = require('node:path');
const { serve, measureCeiling } = require('./bench-lib');

function parseArgs(argv) {
  const o = { tip: null, noPrevout: false, measure: false, connections: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir') o.dir = argv[++i];
    else if (a === '--port-file') o.portFile = argv[++i];
    else if (a === '--tip') o.tip = Number(argv[++i]);
    else if (a === '--no-prevout') o.noPrevout = true;
    else if (a === '--measure') o.measure = true;
    else if (a === '--connections') o.connections = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.dir || (!o.portFile && !o.measure)) throw new Error('usage: btc-node.js --dir DIR (--port-file FILE [--tip H] [--no-prevout] | --measure [--connections C])');
  return o;
}

class Node {
  constructor(dir, tip, noPrevout) {
    this.dir = dir;
    this.meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    this.heightOf = new Map(this.meta.hashes.map((h, i) => [h, i]));
    this.noPrevout = noPrevout;
    if (noPrevout && !this.meta.params.verbosity2) throw new Error(`${dir} has no verbosity-2 blocks (btc-gen.js --verbosity2)`);
    this.setTip(tip);
    this.stats = { requests: 0, calls: 0, bytes: 0 };
  }

  setTip(h) {
    const last = this.meta.hashes.length - 1;
    if (h !== null && h !== undefined && (!Number.isInteger(h) || h < 0 || h > last)) throw new Error(`tip must be in 0..${last}`);
    this.tip = h === null || h === undefined ? last : h;
    return { height: this.tip };
  }

  file(height, kind) { return fs.readFileSync(path.join(this.dir, 'blocks', `${height}.${kind}.json`)); }

  /// The result of one call as JSON text (a string or a Buffer), or throws [code, message].
  result(method, p) {
    switch (method) {
      case 'getblockchaininfo':
        return JSON.stringify({ chain: 'main', blocks: this.tip, headers: this.tip, bestblockhash: this.meta.hashes[this.tip], initialblockdownload: false, verificationprogress: 1, pruned: false, warnings: '' });
      case 'getblockcount': return String(this.tip);
      case 'getbestblockhash': return JSON.stringify(this.meta.hashes[this.tip]);
      case 'getblockhash':
        if (!Number.isInteger(p[0]) || p[0] < 0 || p[0] > this.tip) throw [-8, 'Block height out of range'];
        return JSON.stringify(this.meta.hashes[p[0]]);
      case 'getblockheader':
      case 'getblock': {
        const h = this.heightOf.get(p[0]);
        if (h === undefined || h > this.tip) throw [-5, 'Block not found'];
        if (method === 'getblockheader') return this.file(h, 'header');
        let v = p[1] === undefined ? 1 : p[1];
        if (v === 3 && this.noPrevout) v = 2;
        if (v !== 2 && v !== 3) throw [-8, `btc-node: verbosity ${v} is not served (2 and 3 are)`];
        return this.file(h, v === 3 ? 'v3' : 'v2');
      }
      default: throw [-32601, 'Method not found'];
    }
  }

  /// One call's answer as Buffers to write (Bitcoin Core's shape: result, error, id).
  answer(call) {
    const id = JSON.stringify(call && call.id !== undefined ? call.id : null);
    this.stats.calls++;
    try {
      const r = this.result(call.method, Array.isArray(call.params) ? call.params : []);
      return [Buffer.from('{"result":'), Buffer.isBuffer(r) ? r : Buffer.from(r), Buffer.from(`,"error":null,"id":${id}}`)];
    } catch (e) {
      if (!Array.isArray(e)) throw e;
      return [Buffer.from(`{"result":null,"error":${JSON.stringify({ code: e[0], message: e[1] })},"id":${id}}`)];
    }
  }
}

function serveNode(node, portFile) {
  serve(node, portFile, {
    tipKey: 'height',
    parseError: [500, '{"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null}'],
    describe: (port) => `btc-node: ${node.meta.hashes.length} blocks of ${node.dir} on http://127.0.0.1:${port}/ (tip ${node.tip})`,
  });
}

/// The node's ceiling: every block fetched as chainidx does (getblock verbosity 3, 4 per batch)
/// over C keep-alive connections to a serving child process, discarding the answers.
function measure(node, connections) {
  const heights = node.meta.hashes.map((_, i) => i);
  const bodies = [];
  for (let i = 0; i < heights.length; i += 4)
    bodies.push(JSON.stringify(heights.slice(i, i + 4).map((h) => ({ jsonrpc: '1.0', id: h, method: 'getblock', params: [node.meta.hashes[h], 3] }))));
  return measureCeiling(__filename, node.dir, connections, null, bodies, (s, bytes) => {
    console.log(`btc-node ceiling: ${heights.length} blocks, ${node.meta.txs} transactions in ${s.toFixed(2)} s over ${connections} connections: ${(heights.length / s).toFixed(1)} blocks/s, ${(node.meta.txs / s).toFixed(0)} transactions/s, ${(bytes / 1e6 / s).toFixed(0)} MB/s`);
  });
}

if (require.main === module) {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { process.stderr.write(`btc-node: ${e.message}\n`); process.exit(2); }
  const node = new Node(o.dir, o.tip, o.noPrevout);
  if (o.measure) measure(node, o.connections);
  else serveNode(node, o.portFile);
}
