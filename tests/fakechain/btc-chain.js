'use strict';
// Builds the fake Bitcoin chain in memory from real mainnet blocks (tests/fixtures/btc).
//
//   height  main                         fork
//   0       mainnet block 0 (genesis)    same
//   1       mainnet block 1              same
//   2       synthesized funding block    same
//   3       mainnet block 50000          same
//   4       mainnet block 50001          same
//   5       mainnet block 50002          same
//   6       mainnet block 91880          synthesized: coinbase 50 BTC to the genesis address + 91880's other tx
//   7       mainnet block 200000         block 200000's header and txs under a new hash
//   8       -                            synthesized: coinbase + a spend of h6's coinbase output
//
// Real blocks keep their hash and transactions; height and the links (previousblockhash) are
// the fake chain's. The chain has no history before these blocks, so the funding block holds
// every earlier transaction that a later block spends, each with its inputs replaced by one
// coinbase-style input (see README.md). Building asserts that every input then resolves.
const path = require('node:path');
const fs = require('node:fs');
const {
  FIXTURES, dsha256, labelHash, addressHash160, Sats, readBtcJson, clone, withChecksum,
} = require('./util');

const BTC = path.join(FIXTURES, 'btc');
const GENESIS_ADDRESS = '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa';
const COIN = 100000000n;
const WORK_DIFFICULTY_1 = 0x100010001n; // chainwork added by one difficulty-1 block

// ---- fixture loading -------------------------------------------------------------------------

function etlBlock(dir, height) {
  const d = path.join(BTC, 'bitcoin-etl', dir);
  const hash = JSON.parse(fs.readFileSync(path.join(d, `rpc_response_getblockhash_${height}.json`), 'utf8'));
  const b = readBtcJson(path.join(d, `rpc_response_getblock_${hash}_2.json`));
  check(b.hash === hash && b.height === height, `bitcoin-etl block ${height}: hash/height differ from getblockhash`);
  return b;
}

function chainstorageBlock(height) {
  const d = path.join(BTC, 'chainstorage', `mainnet-block-${height}`);
  const b = readBtcJson(path.join(d, 'block.json'));
  const meta = JSON.parse(fs.readFileSync(path.join(d, 'chainstorage_metadata.json'), 'utf8')).metadata;
  check(b.hash === meta.hash && b.height === Number(meta.height), `chainstorage block ${height}: metadata differs`);
  const inputs = readBtcJson(path.join(d, 'input_transactions.json'));
  check(inputs.length === b.tx.length, `chainstorage block ${height}: input_transactions not indexed like tx`);
  return { block: b, previousTxs: inputs.flat() };
}

function check(cond, msg) { if (!cond) throw new Error(`btc-chain: ${msg}`); }

// ---- transaction building (synthesized transactions are serialized so their txids are real) --

const le = (n, bytes) => {
  const b = Buffer.alloc(bytes);
  if (bytes === 8) b.writeBigUInt64LE(BigInt(n)); else b.writeUInt32LE(Number(n));
  return b.toString('hex');
};
const varint = (n) => { check(n < 0xfd, 'varint too large'); return n.toString(16).padStart(2, '0'); };
const pushHex = (hex) => varint(hex.length / 2) + hex;
const reverseHex = (hex) => Buffer.from(hex, 'hex').reverse().toString('hex');

function p2pkhScript(address) {
  const h = addressHash160(address).hash160;
  return { asm: `OP_DUP OP_HASH160 ${h} OP_EQUALVERIFY OP_CHECKSIG`, desc: withChecksum(`addr(${address})`), hex: `76a914${h}88ac`, address, type: 'pubkeyhash' };
}
function p2pkScript(pubkey) {
  return { asm: `${pubkey} OP_CHECKSIG`, desc: withChecksum(`pk(${pubkey})`), hex: `${pushHex(pubkey)}ac`, type: 'pubkey' };
}
function nulldataScript(text) {
  const data = Buffer.from(text).toString('hex');
  const hex = `6a${pushHex(data)}`;
  return { asm: `OP_RETURN ${data}`, desc: withChecksum(`raw(${hex})`), hex, type: 'nulldata' };
}

/// ins: [{coinbase: hex} | {txid, vout}], outs: [{sats, scriptPubKey}] -> a verbosity-2 tx.
function makeTx(ins, outs) {
  let hex = le(1, 4) + varint(ins.length);
  for (const i of ins) {
    hex += i.coinbase !== undefined
      ? '00'.repeat(32) + 'ffffffff' + pushHex(i.coinbase)
      : reverseHex(i.txid) + le(i.vout, 4) + pushHex('');
    hex += 'ffffffff';
  }
  hex += varint(outs.length);
  for (const o of outs) hex += le(o.sats, 8) + pushHex(o.scriptPubKey.hex);
  hex += le(0, 4);
  const txid = reverseHex(dsha256(Buffer.from(hex, 'hex')).toString('hex'));
  const size = hex.length / 2;
  return {
    txid, hash: txid, version: 1, size, vsize: size, weight: size * 4, locktime: 0,
    vin: ins.map((i) => (i.coinbase !== undefined
      ? { coinbase: i.coinbase, sequence: 4294967295 }
      : { txid: i.txid, vout: i.vout, scriptSig: { asm: '', hex: '' }, sequence: 4294967295 })),
    vout: outs.map((o, n) => ({ value: new Sats(o.sats), n, scriptPubKey: o.scriptPubKey })),
    hex,
  };
}

function merkleRoot(txids) {
  let level = txids.map((t) => Buffer.from(t, 'hex').reverse());
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) next.push(dsha256(Buffer.concat([level[i], level[i + 1] || level[i]])));
    level = next;
  }
  return Buffer.from(level[0]).reverse().toString('hex');
}

const addWork = (chainwork, work) => (BigInt('0x' + chainwork) + work).toString(16).padStart(64, '0');

/// A synthesized block around `txs`, shaped like getblock's verbosity-2 result.
function makeBlock(label, txs, fields) {
  // Funding txs from chainstorage carry no size: estimate one coinbase input plus their outputs.
  const estimate = (t) => 4 + 1 + 42 + 1 + t.vout.reduce((s, v) => s + 9 + v.scriptPubKey.hex.length / 2, 0) + 4;
  const size = 80 + 3 + txs.reduce((s, t) => s + (t.size || estimate(t)), 0);
  return {
    hash: labelHash(label), strippedsize: size, size, weight: size * 4, version: 1, versionHex: '00000001',
    merkleroot: merkleRoot(txs.map((t) => t.txid)), tx: txs, nonce: 0, bits: '1d00ffff', difficulty: 1,
    nTx: txs.length, ...fields, about: `synthesized (${label})`,
  };
}

/// A real block placed at `height`: same hash and txs, the fake chain's height and links.
function placeReal(b, height, about) {
  check(merkleRoot(b.tx.map((t) => t.txid)) === b.merkleroot, `${about}: merkle root does not match its txids (incomplete block?)`);
  check(b.nTx === b.tx.length, `${about}: nTx != number of txs`);
  const out = clone(b);
  delete out.confirmations;
  delete out.nextblockhash;
  delete out.previousblockhash;
  out.height = height;
  out.about = about;
  return out;
}

// ---- the funding block -----------------------------------------------------------------------

const isCoinbase = (tx) => tx.vin.length === 1 && tx.vin[0].coinbase !== undefined;

/// Previous transactions spent by `blocks` that are not themselves in the chain, in the order
/// first needed. Partial copies of one txid (chainstorage keeps only spent vouts) are merged.
function fundingTxs(blocks, sources, chainTxids) {
  const byTxid = new Map();
  for (const src of sources) {
    const have = byTxid.get(src.txid);
    if (!have) { byTxid.set(src.txid, { src, vouts: new Map(src.vout.map((v) => [v.n, v])) }); continue; }
    for (const v of src.vout) {
      const old = have.vouts.get(v.n);
      if (old) check(old.value.sats === v.value.sats && old.scriptPubKey.hex === v.scriptPubKey.hex, `prev tx ${src.txid}:${v.n} differs between sources`);
      else have.vouts.set(v.n, v);
    }
  }
  const needed = [];
  const unresolved = [];
  for (const b of blocks) {
    for (const tx of b.tx) {
      if (isCoinbase(tx)) continue;
      for (const vin of tx.vin) {
        if (chainTxids.has(vin.txid)) continue;
        const have = byTxid.get(vin.txid);
        if (!have || !have.vouts.has(vin.vout)) unresolved.push(`${vin.txid}:${vin.vout} (spent by ${tx.txid} in block ${b.about})`);
        else if (!needed.includes(have)) needed.push(have);
      }
    }
  }
  check(unresolved.length === 0, `inputs with no previous output in any fixture:\n  ${unresolved.join('\n  ')}`);
  return needed.map(({ src, vouts }) => {
    const tx = { txid: src.txid, hash: src.hash || src.txid, version: src.version ?? 1 };
    for (const k of ['size', 'vsize', 'weight']) if (src[k] !== undefined) tx[k] = src[k];
    tx.locktime = src.locktime ?? 0;
    // The fake chain has no history before these, so each becomes a coinbase-style creation.
    // `hex` is dropped: it would describe the real inputs, not this one.
    tx.vin = [{ coinbase: '00', sequence: 4294967295 }];
    tx.vout = [...vouts.values()].sort((a, b) => a.n - b.n).map(clone);
    return tx;
  });
}

// ---- validation: walk a branch with a UTXO set -------------------------------------------------

function subsidy(realHeight) { return (50n * COIN) >> BigInt(Math.floor(realHeight / 210000)); }

/// Asserts that every input spends an existing unspent output of the branch, no txid repeats,
/// no transaction creates money, and each real coinbase claims at most subsidy + fees.
function validate(branchName, blocks) {
  const utxo = new Map();
  const txids = new Set();
  blocks.forEach((b, h) => {
    check(b.height === h, `${branchName}: block at index ${h} has height ${b.height}`);
    check(h === 0 ? b.previousblockhash === undefined : b.previousblockhash === blocks[h - 1].hash, `${branchName}: h${h} is not linked to h${h - 1}`);
    let fees = 0n;
    for (const tx of b.tx) {
      check(!txids.has(tx.txid), `${branchName}: txid ${tx.txid} appears twice`);
      txids.add(tx.txid);
      let inSum = 0n;
      if (!isCoinbase(tx)) {
        for (const vin of tx.vin) {
          const key = `${vin.txid}:${vin.vout}`;
          const prev = utxo.get(key);
          check(prev, `${branchName}: h${h} tx ${tx.txid} spends ${key}, which is not an unspent output of the fake chain`);
          utxo.delete(key);
          inSum += prev.value.sats;
        }
      }
      const outSum = tx.vout.reduce((s, v) => s + v.value.sats, 0n);
      if (!isCoinbase(tx)) { check(inSum >= outSum, `${branchName}: tx ${tx.txid} spends more than its inputs`); fees += inSum - outSum; }
      for (const v of tx.vout) utxo.set(`${tx.txid}:${v.n}`, v);
    }
    if (b.realHeight !== undefined) {
      const claimed = b.tx[0].vout.reduce((s, v) => s + v.value.sats, 0n);
      check(claimed <= subsidy(b.realHeight) + fees, `${branchName}: h${h} coinbase claims ${claimed} > subsidy + fees ${subsidy(b.realHeight) + fees}`);
    }
  });
}

// ---- the chain -------------------------------------------------------------------------------

let cached = null;

function buildBitcoinChain() {
  if (cached) return cached;
  const b0 = etlBlock('mainnet-block-0', 0);
  const b1 = etlBlock('mainnet-block-1', 1);
  const b50000 = etlBlock('mainnet-block-50000', 50000);
  const b50001 = etlBlock('mainnet-blocks-50001-50002', 50001);
  const b50002 = etlBlock('mainnet-blocks-50001-50002', 50002);
  const c91880 = chainstorageBlock(91880);
  const c200000 = chainstorageBlock(200000);
  const etlDir = path.join(BTC, 'bitcoin-etl', 'mainnet-blocks-50001-50002');
  const etlPrev = fs.readdirSync(etlDir).filter((f) => f.startsWith('rpc_response_getrawtransaction_')).sort()
    .map((f) => readBtcJson(path.join(etlDir, f)));

  const real = [
    [b0, 0, 'mainnet 0'], [b1, 1, 'mainnet 1'], [b50000, 3, 'mainnet 50000'], [b50001, 4, 'mainnet 50001'],
    [b50002, 5, 'mainnet 50002'], [c91880.block, 6, 'mainnet 91880'], [c200000.block, 7, 'mainnet 200000'],
  ].map(([b, h, about]) => Object.assign(placeReal(b, h, about), { realHeight: b.height }));
  const [h0, h1, h3, h4, h5, h6, h7] = real;

  const chainTxids = new Set(real.flatMap((b) => b.tx.map((t) => t.txid)));
  const funding = fundingTxs([h3, h4, h5, h6, h7], [...etlPrev, ...c91880.previousTxs, ...c200000.previousTxs], chainTxids);
  const h2 = makeBlock('btc/h2-funding', funding, {
    height: 2, time: h3.time - 600, mediantime: h3.time - 600, chainwork: addWork(h1.chainwork, WORK_DIFFICULTY_1),
  });
  h2.about = 'synthesized funding block: the previous txs spent by h3..h7, inputs replaced by a coinbase input';

  // Fork h6: a coinbase paying 50 BTC to the genesis address (as P2PKH, so the address also
  // holds an output of a second script type) plus block 91880's non-coinbase transactions.
  const others91880 = h6.tx.slice(1);
  const cb6 = makeTx([{ coinbase: Buffer.from('chainidx fakechain fork h6').toString('hex') }],
    [{ sats: 50n * COIN, scriptPubKey: p2pkhScript(GENESIS_ADDRESS) }]);
  const f6 = makeBlock('btc/fork/h6', [cb6, ...others91880], {
    height: 6, time: h6.time, mediantime: h6.mediantime, chainwork: addWork(h5.chainwork, WORK_DIFFICULTY_1),
  });
  f6.about = 'synthesized: coinbase 50 BTC to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa (P2PKH) + block 91880\'s non-coinbase tx';
  // Fork h7: block 200000 re-mined on the fork (same txs and header fields, another hash).
  const f7 = { ...clone(h7), hash: labelHash('btc/fork/h7'), about: 'block 200000\'s header fields and txs under a new hash' };
  // Fork h8: spends the fork-only h6 coinbase: 30 BTC to an address seen in 91880's inputs,
  // 19.99 back to the genesis address, a zero-value OP_RETURN; the 0.01 fee goes to the
  // coinbase, paid to block 91880's coinbase key as P2PK (an address-less script).
  const p2pk91880 = h6.tx[0].vout[0].scriptPubKey.asm.split(' ')[0];
  const spend = makeTx([{ txid: cb6.txid, vout: 0 }], [
    { sats: 30n * COIN, scriptPubKey: p2pkhScript('1HY6LE6Y4JKEXuedGboBGzX58QBacQ2vPp') },
    { sats: 1999000000n, scriptPubKey: p2pkhScript(GENESIS_ADDRESS) },
    { sats: 0n, scriptPubKey: nulldataScript('chainidx fakechain') },
  ]);
  const cb8 = makeTx([{ coinbase: Buffer.from('chainidx fakechain fork h8').toString('hex') }],
    [{ sats: 50n * COIN + 1000000n, scriptPubKey: p2pkScript(p2pk91880) }]);
  const f8 = makeBlock('btc/fork/h8', [cb8, spend], {
    height: 8, time: h7.time + 600, mediantime: h7.time, chainwork: addWork(h7.chainwork, BigInt(Math.round(h7.difficulty)) << 32n),
  });
  f8.about = 'synthesized: coinbase 50.01 BTC (P2PK, 91880\'s key) + a spend of fork h6\'s coinbase (30 / 19.99 / OP_RETURN 0)';

  const main = [h0, h1, h2, h3, h4, h5, h6, h7];
  const fork = [h0, h1, h2, h3, h4, h5, f6, f7, f8];
  for (const br of [main, fork]) br.forEach((b, i) => { if (i > 0) b.previousblockhash = br[i - 1].hash; });
  // h0..h5 are shared objects, so setting their links twice is harmless; h6 differs per branch.
  validate('main', main);
  validate('fork', fork);

  const byHash = new Map();
  for (const b of [...main, ...fork]) byHash.set(b.hash, b);
  cached = { branches: { main, fork }, byHash, fundingTxids: funding.map((t) => t.txid), isCoinbase };
  return cached;
}

module.exports = { buildBitcoinChain, isCoinbase, GENESIS_ADDRESS };

if (require.main === module) {
  const c = buildBitcoinChain();
  for (const [name, blocks] of Object.entries(c.branches)) {
    console.log(`${name}:`);
    for (const b of blocks) console.log(`  h${b.height} ${b.hash} ${b.nTx} tx  ${b.about}`);
  }
  console.log(`funding txs: ${c.fundingTxids.length}`);
}
