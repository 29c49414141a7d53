#!/usr/bin/env node
'use strict';
// A deterministic Bitcoin chain of mainnet-shaped blocks for scripts/bench --family bitcoin:
// ~2,500 transactions per block, ~2.3 inputs and ~2.6 outputs per transaction, addresses reused
// with a Zipf-like skew, every input spending an earlier output (some of the same block), the
// coinbase first. Blocks are written as Bitcoin Core's `getblock` verbosity-3 results (inputs
// carry `prevout`) and, with --verbosity2, verbosity-2 ones too; amounts exact, 8 decimals.
//
//   node tests/bench/btc-gen.js --out DIR [--blocks N] [--txs-per-block T] [--addresses A]
//        [--seed S] [--checkpoints H1,H2,...] [--verbosity2]
//
// DIR gets meta.json (hashes, transactions per block, counts, the parameters), blocks/H.v3.json (and H.v2.json), and
// expected-H.json per checkpoint height H: every address's balance after block H, computed here
// from the outputs the generator created and spent (never from chainidx). A DIR whose meta.json
// has the same parameters is reused as it is.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { prng, reuseGenerated, nonNegativeInt } = require('./bench-lib');
const { base58encode, sha256, withChecksum } = require('../fakechain/util');

function parseArgs(argv) {
  const o = { blocks: 200, txsPerBlock: 2500, addresses: 200000, seed: 1, checkpoints: [], verbosity2: false };
  const num = nonNegativeInt;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = argv[++i];
    else if (a === '--blocks') o.blocks = num(a, argv[++i]);
    else if (a === '--txs-per-block') o.txsPerBlock = num(a, argv[++i]);
    else if (a === '--addresses') o.addresses = num(a, argv[++i]);
    else if (a === '--seed') o.seed = num(a, argv[++i]);
    else if (a === '--checkpoints') o.checkpoints = String(argv[++i]).split(',').map((x) => num(a, x));
    else if (a === '--verbosity2') o.verbosity2 = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.out || o.blocks < 2 || o.txsPerBlock < 1 || o.addresses < 10) {
    throw new Error('usage: btc-gen.js --out DIR [--blocks N>=2] [--txs-per-block T>=1] [--addresses A>=10] [--seed S] [--checkpoints H,...] [--verbosity2]');
  }
  if (o.checkpoints.length === 0) o.checkpoints = [o.blocks - 1];
  for (const h of o.checkpoints) if (h >= o.blocks) throw new Error(`checkpoint ${h} is beyond the last block ${o.blocks - 1}`);
  return o;
}

// ---- addresses: P2WPKH (bech32, 70%) and P2PKH (base58check, 30%) -----------------------------
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
function bech32Polymod(values) {
  const G = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const b = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((b >>> i) & 1) chk ^= G[i];
  }
  return chk;
}
function segwitV0Address(hash160) {
  const data = [0];
  let acc = 0;
  let bits = 0;
  for (const byte of hash160) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) { bits -= 5; data.push((acc >>> bits) & 31); }
  }
  if (bits > 0) data.push((acc << (5 - bits)) & 31);
  const hrp = [3, 3, 0, 2, 3]; // "bc" expanded: high bits, 0, low bits
  const mod = bech32Polymod([...hrp, ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  let out = 'bc1';
  for (const d of data) out += BECH32[d];
  for (let i = 0; i < 6; i++) out += BECH32[(mod >>> (5 * (5 - i))) & 31];
  return out;
}
function p2pkhAddress(hash160) {
  const body = Buffer.concat([Buffer.from([0]), hash160]);
  const check = sha256(sha256(body)).subarray(0, 4);
  return base58encode(Buffer.concat([body, check]));
}

/// The address book: per index, the address and its scriptPubKey JSON (with desc), made once.
function makeAddresses(n, seed) {
  const book = new Array(n);
  for (let i = 0; i < n; i++) {
    const h = sha256(`btc-bench:${seed}:address:${i}`).subarray(0, 20);
    const hex = h.toString('hex');
    const segwit = i % 10 < 7;
    const address = segwit ? segwitV0Address(h) : p2pkhAddress(h);
    const spkHex = segwit ? `0014${hex}` : `76a914${hex}88ac`;
    const asm = segwit ? `0 ${hex}` : `OP_DUP OP_HASH160 ${hex} OP_EQUALVERIFY OP_CHECKSIG`;
    const type = segwit ? 'witness_v0_keyhash' : 'pubkeyhash';
    const desc = withChecksum(`addr(${address})`);
    book[i] = { address, segwit, spk: `{"asm":"${asm}","desc":"${desc}","hex":"${spkHex}","address":"${address}","type":"${type}"}` };
  }
  return book;
}

const btc = (sats) => `${Math.floor(sats / 1e8)}.${String(sats % 1e8).padStart(8, '0')}`;
const hexOf = (label) => crypto.createHash('sha256').update(label).digest('hex');
const SUBSIDY = 312500000; // 3.125 BTC, as after the 2024 halving

function generate(o) {
  const rand = prng(o.seed);
  const book = makeAddresses(o.addresses, o.seed);
  // Zipf-like reuse: low indices are picked far more often (u^3 skews towards 0).
  const pickAddress = () => Math.floor(o.addresses * rand() ** 3);
  const pool = []; // unspent outputs: { txid, n, sats, addr, height, coinbase }
  const blocksDir = path.join(o.out, 'blocks');
  fs.mkdirSync(blocksDir, { recursive: true });
  const hashes = [];
  const counts = { txs: 0, inputs: 0, outputs: 0, bytes_v3: 0, tx_counts: [] };
  const checkpoints = new Set(o.checkpoints);
  const witness = `"txinwitness":["${'30'.repeat(71)}","02${'ab'.repeat(32)}"]`;
  const scriptSigP2pkh = `{"asm":"${'30'.repeat(71)}[ALL] 02${'ab'.repeat(32)}","hex":"47${'30'.repeat(71)}0121${'02'}${'ab'.repeat(32)}"}`;

  for (let height = 0; height < o.blocks; height++) {
    const hash = hexOf(`btc-bench:${o.seed}:block:${height}`);
    hashes.push(hash);
    const txs3 = [];
    const txs2 = [];
    let fees = 0;
    // Height 0 funds the chain: its coinbase pays 20,000 outputs (a bootstrap, not mainnet-like).
    const spending = height === 0 ? 0 : o.txsPerBlock - 1;
    for (let t = 0; t < spending; t++) {
      const txid = hexOf(`btc-bench:${o.seed}:tx:${height}:${t}`);
      const nIn = Math.min(pool.length, 1 + Math.floor(rand() * 3.6));
      const ins3 = [];
      const ins2 = [];
      let inSats = 0;
      let firstOwner = null;
      for (let k = 0; k < nIn; k++) {
        const j = Math.floor(rand() * pool.length);
        const u = pool[j];
        pool[j] = pool[pool.length - 1];
        pool.pop();
        inSats += u.sats;
        if (firstOwner === null) firstOwner = u.addr;
        const a = book[u.addr];
        const sig = a.segwit ? `"scriptSig":{"asm":"","hex":""},${witness}` : `"scriptSig":${scriptSigP2pkh}`;
        const head = `{"txid":"${u.txid}","vout":${u.n},${sig}`;
        ins3.push(`${head},"prevout":{"generated":${u.coinbase},"height":${u.height},"value":${btc(u.sats)},"scriptPubKey":${a.spk}},"sequence":4294967293}`);
        if (o.verbosity2) ins2.push(`${head},"sequence":4294967293}`);
      }
      counts.inputs += nIn;
      const fee = Math.min(Math.floor(inSats / 10), 1000 + Math.floor(rand() * 20000));
      fees += fee;
      let left = inSats - fee;
      const nOut = 1 + Math.floor(rand() * 4.2);
      const outs = [];
      for (let n = 0; n < nOut; n++) {
        const sats = n === nOut - 1 ? left : Math.floor(left * rand() * 0.7);
        left -= sats;
        // The last output is change to the first input's owner a third of the time (reuse).
        const addr = n === nOut - 1 && rand() < 0.33 ? firstOwner : pickAddress();
        outs.push({ sats, addr });
      }
      const vout = outs.map((x, n) => {
        pool.push({ txid, n, sats: x.sats, addr: x.addr, height, coinbase: false });
        return `{"value":${btc(x.sats)},"n":${n},"scriptPubKey":${book[x.addr].spk}}`;
      });
      counts.outputs += nOut;
      const vsize = 11 + nIn * 68 + nOut * 31;
      const size = vsize + nIn * 107;
      const hexBody = 'f0'.repeat(size); // the raw transaction's length, not its bytes
      const common = `"txid":"${txid}","hash":"${hexOf(`w:${txid}`)}","version":2,"size":${size},"vsize":${vsize},"weight":${vsize * 4},"locktime":0`;
      txs3.push(`{${common},"vin":[${ins3.join(',')}],"vout":[${vout.join(',')}],"fee":${btc(fee)},"hex":"${hexBody}"}`);
      if (o.verbosity2) txs2.push(`{${common},"vin":[${ins2.join(',')}],"vout":[${vout.join(',')}],"hex":"${hexBody}"}`);
    }
    // The coinbase, first: the subsidy plus the fees to a miner, and the witness commitment.
    const cbid = hexOf(`btc-bench:${o.seed}:coinbase:${height}`);
    const cbOuts = height === 0 ? 20000 : 1;
    const cbTotal = height === 0 ? 20000 * 100000000 : SUBSIDY + fees;
    const cbVout = [];
    for (let n = 0; n < cbOuts; n++) {
      const sats = height === 0 ? 100000000 : cbTotal;
      const addr = height === 0 ? n % o.addresses : pickAddress();
      pool.push({ txid: cbid, n, sats, addr, height, coinbase: true });
      cbVout.push(`{"value":${btc(sats)},"n":${n},"scriptPubKey":${book[addr].spk}}`);
    }
    cbVout.push(`{"value":0.00000000,"n":${cbOuts},"scriptPubKey":{"asm":"OP_RETURN aa21a9ed${'00'.repeat(32)}","desc":"raw(6a24aa21a9ed${'00'.repeat(32)})#00000000","hex":"6a24aa21a9ed${'00'.repeat(32)}","type":"nulldata"}}`);
    counts.outputs += cbOuts + 1;
    const cb = `{"txid":"${cbid}","hash":"${cbid}","version":2,"size":200,"vsize":173,"weight":692,"locktime":0,"vin":[{"coinbase":"03${height.toString(16).padStart(6, '0')}","txinwitness":["${'00'.repeat(32)}"],"sequence":4294967295}],"vout":[${cbVout.join(',')}],"hex":"${'c0'.repeat(200)}"}`;
    txs3.unshift(cb);
    if (o.verbosity2) txs2.unshift(cb);
    counts.txs += txs3.length;
    counts.tx_counts.push(txs3.length);

    const next = height + 1 < o.blocks ? `,"nextblockhash":"${hexOf(`btc-bench:${o.seed}:block:${height + 1}`)}"` : '';
    const prev = height > 0 ? `,"previousblockhash":"${hashes[height - 1]}"` : '';
    const headerTail = `"time":${1700000000 + height * 600},"mediantime":${1700000000 + height * 600 - 3000},"nonce":${height * 7919},"bits":"17034219","difficulty":83148355189239.77,"chainwork":"${(height + 1).toString(16).padStart(64, '0')}","nTx":${txs3.length}${prev}${next}`;
    const head = `"hash":"${hash}","confirmations":${o.blocks - height},"strippedsize":1000000,"size":1600000,"weight":3993000,"height":${height},"version":536870912,"versionHex":"20000000","merkleroot":"${hexOf(`m:${hash}`)}"`;
    const v3 = `{${head},"tx":[${txs3.join(',')}],${headerTail}}`;
    fs.writeFileSync(path.join(blocksDir, `${height}.v3.json`), v3);
    counts.bytes_v3 += v3.length;
    if (o.verbosity2) fs.writeFileSync(path.join(blocksDir, `${height}.v2.json`), `{${head},"tx":[${txs2.join(',')}],${headerTail}}`);
    fs.writeFileSync(path.join(blocksDir, `${height}.header.json`), `{${head},${headerTail}}`);

    if (checkpoints.has(height)) {
      const sums = new Map();
      for (const u of pool) sums.set(u.addr, (sums.get(u.addr) || 0) + u.sats);
      const out = {};
      for (const [addr, sats] of sums) if (sats > 0) out[book[addr].address] = String(sats);
      fs.writeFileSync(path.join(o.out, `expected-${height}.json`), JSON.stringify(out));
    }
    if (height % 20 === 19) process.stderr.write(`btc-gen: ${height + 1} of ${o.blocks} blocks\n`);
  }
  return { hashes, counts };
}

function main() {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { process.stderr.write(`btc-gen: ${e.message}\n`); process.exit(2); }
  const params = { blocks: o.blocks, txsPerBlock: o.txsPerBlock, addresses: o.addresses, seed: o.seed, checkpoints: o.checkpoints, verbosity2: o.verbosity2 };
  if (reuseGenerated('btc-gen', o.out, params)) return;
  const metaFile = path.join(o.out, 'meta.json');
  const t0 = Date.now();
  const { hashes, counts } = generate(o);
  fs.writeFileSync(metaFile, JSON.stringify({ params, hashes, ...counts }));
  process.stderr.write(`btc-gen: ${o.blocks} blocks, ${counts.txs} transactions, ${counts.inputs} inputs, ${counts.outputs} outputs, ${(counts.bytes_v3 / 1e6).toFixed(0)} MB of verbosity-3 JSON in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

main();
