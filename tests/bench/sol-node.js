#!/usr/bin/env node
'use strict';
// A fast fake Solana node for scripts/bench: serves the chain sol-gen.js wrote, from its
// precomputed bodies (no JSON is built or parsed per block), so that the node is never what
// limits chainidx. `--measure` prints the node's own ceiling instead of serving.
//
//   node tests/bench/sol-node.js --dir DIR --port-file FILE [--tip SLOT]
//   node tests/bench/sol-node.js --dir DIR --measure [--connections C]
//
// Methods: getGenesisHash, getVersion, getHealth, getSlot, getBlockHeight, getFirstAvailableBlock,
// minimumLedgerSlot, getBlocks, getBlocksWithLimit, getLatestBlockhash and getBlock (encoding
// json only; transactionDetails "full" with rewards, or "none" without: what chainidx asks for).
// Every commitment sees the tip (all of it is finalized). Errors are Solana's codes and messages
// (a skipped slot: -32007, beyond the tip: -32004, before the first slot: -32001). Account
// state (getBalance, getTokenAccountsByOwner, getTokenAccountBalance) is not kept: those are
// refused with -32601 and a message saying so (the bench does not reconcile). POST /control
// {"op":"tip","slot":S} serves only up to S; {"op":"stats"}.
const fs = require('node:fs');
const path = require('node:path');
const { serve, measureCeiling } = require('./bench-lib');

const COMMITMENTS = ['processed', 'confirmed', 'finalized'];

function parseArgs(argv) {
  const o = { tip: null, measure: false, connections: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir') o.dir = argv[++i];
    else if (a === '--port-file') o.portFile = argv[++i];
    else if (a === '--tip') o.tip = Number(argv[++i]);
    else if (a === '--measure') o.measure = true;
    else if (a === '--connections') o.connections = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.dir || (!o.portFile && !o.measure)) throw new Error('usage: sol-node.js --dir DIR (--port-file FILE [--tip SLOT] | --measure [--connections C])');
  return o;
}

class RpcError {
  constructor(code, message) { this.code = code; this.message = message; }
}

const cfgOf = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const isSlot = (v) => Number.isInteger(v) && v >= 0;

class Node {
  constructor(dir, tip) {
    this.dir = dir;
    this.meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    this.first = this.meta.first_slot;
    this.last = this.first + this.meta.hashes.length - 1;
    this.blockSlots = [];
    this.meta.hashes.forEach((h, n) => { if (h !== null) this.blockSlots.push(this.first + n); });
    this.setTip(tip);
    this.stats = { requests: 0, calls: 0, bytes: 0 };
  }

  setTip(s) {
    if (s !== null && s !== undefined && (!Number.isInteger(s) || s < this.first || s > this.last)) throw new Error(`tip must be a slot in ${this.first}..${this.last}`);
    const limit = s === null || s === undefined ? this.last : s;
    // The tip is the last block at or below the limit.
    let tip = this.first;
    for (const b of this.blockSlots) if (b <= limit) tip = b;
    this.tip = tip;
    return { slot: this.tip };
  }

  hash(slot) { return this.meta.hashes[slot - this.first]; }

  file(slot, kind) { return fs.readFileSync(path.join(this.dir, 'blocks', `${slot}.${kind}json`)); }

  commitment(cfg) {
    const c = cfg.commitment === undefined ? 'finalized' : cfg.commitment;
    if (!COMMITMENTS.includes(c)) throw new RpcError(-32602, `Invalid params: unknown variant \`${c}\`, expected one of \`processed\`, \`confirmed\`, \`finalized\`.`);
    return c;
  }

  /// Slots with a block in start..min(end, tip), ascending.
  blocks(start, end, cfg) {
    if (!isSlot(start) || (end !== undefined && !isSlot(end))) throw new RpcError(-32602, 'Invalid params: invalid type: expected u64.');
    if (this.commitment(cfg) === 'processed') throw new RpcError(-32602, 'Method does not support commitment below `confirmed`');
    const top = Math.min(end === undefined ? this.tip : end, this.tip);
    if (end !== undefined && end - start > 500000) throw new RpcError(-32602, `Slot range too large; max 500000`);
    const out = [];
    for (const s of this.blockSlots) { if (s > top) break; if (s >= start) out.push(s); }
    return out;
  }

  getBlock(slot, cfgArg) {
    const cfg = typeof cfgArg === 'string' ? { encoding: cfgArg } : cfgOf(cfgArg);
    if (!isSlot(slot)) throw new RpcError(-32602, 'Invalid params: invalid type: expected u64.');
    if (this.commitment(cfg) === 'processed') throw new RpcError(-32602, 'Method does not support commitment below `confirmed`');
    const encoding = cfg.encoding === undefined ? 'json' : cfg.encoding;
    if (encoding !== 'json') throw new RpcError(-32602, `sol-node: encoding "${encoding}" is not served (only json is stored)`);
    const details = cfg.transactionDetails === undefined ? 'full' : cfg.transactionDetails;
    const rewards = cfg.rewards === undefined ? true : cfg.rewards;
    if (!((details === 'full' && rewards === true) || (details === 'none' && rewards === false))) {
      throw new RpcError(-32602, `sol-node: transactionDetails "${details}" with rewards ${rewards} is not served (full with rewards, and none without, are)`);
    }
    if (slot < this.first) throw new RpcError(-32001, `Block ${slot} cleaned up, does not exist on node. First available block: ${this.first}`);
    if (slot > this.tip) throw new RpcError(-32004, `Block not available for slot ${slot}`);
    if (this.hash(slot) === null) throw new RpcError(-32007, `Slot ${slot} was skipped, or missing due to ledger jump to recent snapshot`);
    if (details === 'full' && cfg.maxSupportedTransactionVersion === undefined && this.meta.v0 > 0) {
      throw new RpcError(-32015, 'Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0');
    }
    return this.file(slot, details === 'full' ? '' : 'header.');
  }

  /// The result of one call as JSON text (a string or a Buffer), or throws RpcError.
  result(method, p) {
    switch (method) {
      case 'getGenesisHash': return JSON.stringify(this.meta.genesis_hash);
      case 'getVersion': return '{"feature-set":3241752014,"solana-core":"1.18.26"}';
      case 'getHealth': return '"ok"';
      case 'getSlot': this.commitment(cfgOf(p[0])); return String(this.tip);
      case 'getBlockHeight': {
        this.commitment(cfgOf(p[0]));
        return String(JSON.parse(this.file(this.tip, 'header.')).blockHeight);
      }
      case 'getFirstAvailableBlock': case 'minimumLedgerSlot': return String(this.first);
      case 'getBlocks': {
        const endIsCfg = p[1] !== null && typeof p[1] === 'object';
        return JSON.stringify(this.blocks(p[0], endIsCfg || p[1] === null ? undefined : p[1], cfgOf(endIsCfg ? p[1] : p[2])));
      }
      case 'getBlocksWithLimit': {
        if (!isSlot(p[1])) throw new RpcError(-32602, 'Invalid params: invalid type: expected u64.');
        if (p[1] > 500000) throw new RpcError(-32602, 'Limit too large; max 500000');
        return JSON.stringify(this.blocks(p[0], undefined, cfgOf(p[2])).slice(0, p[1]));
      }
      case 'getBlock': return this.getBlock(p[0], p[1]);
      case 'getLatestBlockhash': {
        this.commitment(cfgOf(p[0]));
        const h = JSON.parse(this.file(this.tip, 'header.'));
        return JSON.stringify({ context: { apiVersion: '1.18.26', slot: this.tip }, value: { blockhash: h.blockhash, lastValidBlockHeight: h.blockHeight + 150 } });
      }
      case 'getBalance': case 'getTokenAccountsByOwner': case 'getTokenAccountBalance': case 'getAccountInfo': case 'getMultipleAccounts':
        throw new RpcError(-32601, `sol-node: ${method} is not served: the bench node keeps no account state (scripts/bench does not reconcile; the generator's expected-SLOT.json has the balances)`);
      default: throw new RpcError(-32601, 'Method not found');
    }
  }

  /// One call's answer as Buffers to write (Solana's shape: jsonrpc, result or error, id).
  answer(call) {
    const id = JSON.stringify(call && call.id !== undefined ? call.id : null);
    this.stats.calls++;
    if (!call || typeof call !== 'object' || typeof call.method !== 'string') {
      return [Buffer.from(`{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request"},"id":${id}}`)];
    }
    try {
      const r = this.result(call.method, Array.isArray(call.params) ? call.params : []);
      return [Buffer.from('{"jsonrpc":"2.0","result":'), Buffer.isBuffer(r) ? r : Buffer.from(r), Buffer.from(`,"id":${id}}`)];
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      return [Buffer.from(`{"jsonrpc":"2.0","error":${JSON.stringify({ code: e.code, message: e.message })},"id":${id}}`)];
    }
  }
}

function serveNode(node, portFile) {
  serve(node, portFile, {
    tipKey: 'slot',
    parseError: [200, '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}'],
    emptyBatch: '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request"},"id":null}',
    describe: (port) => `sol-node: slots ${node.first}..${node.last} (${node.blockSlots.length} blocks) of ${node.dir} on http://127.0.0.1:${port}/ (tip ${node.tip})`,
  });
}

/// The node's ceiling: every block fetched as chainidx does (getBlocks, then getBlock with
/// chainidx's parameters, 4 per batch) over C keep-alive connections to a serving child
/// process, discarding the answers.
function measure(node, connections) {
  const slots = node.blockSlots;
  const params = { encoding: 'json', transactionDetails: 'full', maxSupportedTransactionVersion: 0, rewards: true, commitment: 'confirmed' };
  const bodies = [];
  for (let i = 0; i < slots.length; i += 4)
    bodies.push(JSON.stringify(slots.slice(i, i + 4).map((s) => ({ jsonrpc: '2.0', id: s, method: 'getBlock', params: [s, params] }))));
  const first = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getBlocks', params: [node.first, node.last, { commitment: 'confirmed' }] });
  return measureCeiling(__filename, node.dir, connections, first, bodies, (s, bytes) => {
    const m = node.meta;
    const nonVote = m.txs - m.votes;
    console.log(`sol-node ceiling: ${m.hashes.length} slots (${slots.length} blocks), ${m.txs} transactions (${nonVote} non-vote) in ${s.toFixed(2)} s over ${connections} connections: ${(m.hashes.length / s).toFixed(1)} slots/s, ${(m.txs / s).toFixed(0)} transactions/s (${(nonVote / s).toFixed(0)} non-vote), ${(bytes / 1e6 / s).toFixed(0)} MB/s`);
  });
}

if (require.main === module) {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { process.stderr.write(`sol-node: ${e.message}\n`); process.exit(2); }
  const node = new Node(o.dir, o.tip);
  if (o.measure) measure(node, o.connections);
  else serveNode(node, o.portFile);
}
