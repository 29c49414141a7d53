#!/usr/bin/env node
'use strict';
// Expected balances of the fake chains, computed the simplest way that is obviously right and
// independently of server.js (which answers from a UTXO set / last post balances instead):
//
//   bitcoin: every output credits its owner, every input debits the owner of the output it
//            spends. Owner = scriptPubKey.address, else addresses[0] if it is the only one, else
//            "script:" + the first 20 bytes (40 hex) of sha256(script bytes). OP_RETURN
//            ("nulldata") and zero-value outputs credit nobody; coinbase inputs debit nobody.
//   solana:  per transaction, each account changes by post - pre lamports and each token account
//            by post - pre amount (a missing side counts as 0), keyed by (owner if the entry has
//            one, else the token account itself, mint); failed transactions count the same way;
//            block rewards add their lamports.
//
// All amounts are BigInt; results are decimal strings, zero balances omitted.
//
//   node tests/fakechain/expected.js --family bitcoin|solana --branch main|fork [--height H | --slot S]
const crypto = require('node:crypto');
const { buildBitcoinChain } = require('./btc-chain');
const { buildSolanaChain } = require('./sol-chain');

function addTo(map, key, delta) { map.set(key, (map.get(key) || 0n) + delta); }

function nonZeroSorted(map) {
  const out = {};
  for (const k of [...map.keys()].sort()) if (map.get(k) !== 0n) out[k] = map.get(k).toString();
  return out;
}

function bitcoinOwner(spk) {
  if (spk.address) return spk.address;
  if (Array.isArray(spk.addresses) && spk.addresses.length === 1) return spk.addresses[0];
  return 'script:' + crypto.createHash('sha256').update(Buffer.from(spk.hex, 'hex')).digest('hex').slice(0, 40);
}

/// Balances after block `height` (default: the branch tip) of a branch.
function bitcoinBalances(branch = 'main', height = undefined) {
  const blocks = buildBitcoinChain().branches[branch];
  if (!blocks) throw new Error(`no branch ${branch}`);
  const tip = height === undefined ? blocks.length - 1 : height;
  if (!(tip >= 0 && tip < blocks.length)) throw new Error(`height ${height} is outside 0..${blocks.length - 1}`);
  const outputs = new Map(); // "txid:n" -> { owner or null, sats }
  const balances = new Map();
  for (const block of blocks.slice(0, tip + 1)) {
    for (const tx of block.tx) {
      for (const vin of tx.vin) {
        if (vin.coinbase !== undefined) continue;
        const spent = outputs.get(`${vin.txid}:${vin.vout}`);
        if (!spent) throw new Error(`h${block.height}: ${tx.txid} spends unknown ${vin.txid}:${vin.vout}`);
        if (spent.owner) addTo(balances, spent.owner, -spent.sats);
      }
      for (const vout of tx.vout) {
        const sats = vout.value.sats;
        const owner = vout.scriptPubKey.type === 'nulldata' || sats === 0n ? null : bitcoinOwner(vout.scriptPubKey);
        outputs.set(`${tx.txid}:${vout.n}`, { owner, sats });
        if (owner) addTo(balances, owner, sats);
      }
    }
  }
  return { height: tip, branch, balances: nonZeroSorted(balances) };
}

/// Balances after slot `slot` (default: the branch tip) of a branch.
function solanaBalances(branch = 'main', slot = undefined) {
  const entries = buildSolanaChain().branches[branch];
  if (!entries) throw new Error(`no branch ${branch}`);
  const blocks = entries.filter((e) => !e.skipped);
  const last = slot === undefined ? blocks[blocks.length - 1].slot : slot;
  const sol = new Map();
  const spl = new Map();
  for (const { slot: s, block } of blocks) {
    if (s > last) break;
    for (const tx of block.transactions) {
      const m = tx.meta;
      const loaded = m.loadedAddresses || { writable: [], readonly: [] };
      const keys = [...tx.transaction.message.accountKeys, ...loaded.writable, ...loaded.readonly];
      keys.forEach((k, i) => {
        const d = BigInt(m.postBalances[i]) - BigInt(m.preBalances[i]);
        if (d !== 0n) addTo(sol, k, d);
      });
      const pre = new Map((m.preTokenBalances || []).map((e) => [e.accountIndex, e]));
      const post = new Map((m.postTokenBalances || []).map((e) => [e.accountIndex, e]));
      for (const idx of new Set([...pre.keys(), ...post.keys()])) {
        const a = pre.get(idx);
        const b = post.get(idx);
        const d = BigInt(b ? b.uiTokenAmount.amount : 0) - BigInt(a ? a.uiTokenAmount.amount : 0);
        if (d === 0n) continue;
        const owner = (b && b.owner) || (a && a.owner) || keys[idx];
        addTo(spl, `${owner}|${(b || a).mint}`, d);
      }
    }
    for (const r of block.rewards || []) addTo(sol, r.pubkey, BigInt(r.lamports));
  }
  return { slot: last, branch, sol: nonZeroSorted(sol), spl: nonZeroSorted(spl) };
}

module.exports = { bitcoinBalances, solanaBalances, bitcoinOwner };

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
  const family = opt('family');
  const branch = opt('branch') || 'main';
  const at = opt('height') ?? opt('slot');
  const pos = at === undefined ? undefined : Number(at);
  if (at !== undefined && !Number.isInteger(pos)) { console.error(`expected.js: not a number: ${at}`); process.exit(2); }
  try {
    let out;
    if (family === 'bitcoin') out = bitcoinBalances(branch, pos);
    else if (family === 'solana') out = solanaBalances(branch, pos);
    else { console.error('usage: expected.js --family bitcoin|solana --branch main|fork [--height H | --slot S]'); process.exit(2); }
    process.stdout.write(JSON.stringify(out, null, 1) + '\n');
  } catch (e) {
    console.error(`expected.js: ${e.message}`);
    process.exit(1);
  }
}
