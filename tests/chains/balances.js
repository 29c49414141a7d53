#!/usr/bin/env node
'use strict';
// Indexed Bitcoin / Solana balances against tests/fakechain/expected.js (or, with --expected,
// a generator's expected-H.json of tests/bench): the comparison of tests/chains/e2e.js, shared
// with scripts/bench --family bitcoin|solana.
//
//   node tests/chains/balances.js --config FILE --db URL --chain NAME --family bitcoin|solana
//        [--branch main|fork] [--at HEIGHT|SLOT] [--expected FILE]
//
// Needs CHAINIDX_BIN. Prints "N balances equal expected.js (main)" and exits 0, or says which
// differ and exits 1.
const cx = require('../evm/lib/chainidx');
const { AssertionError, assert } = require('../evm/lib/assert');
const { bitcoinBalances, solanaBalances } = require('../fakechain/expected');

/// Indexed non-zero balances as { key: amount }: Bitcoin "address", Solana "pubkey" for SOL and
/// "owner|mint" for SPL, the keys of expected.js.
async function indexed(config, chain, db) {
  const rows = await cx.json(['balances', '--chain', chain, '--output', 'json'], { config, db });
  const out = {};
  for (const r of rows) {
    if (r.amount === '0') continue;
    const key = r.token === 'BTC' || r.token === 'SOL' ? r.account : `${r.account}|${r.token}`;
    assert(!(key in out), `balance ${key} listed twice`);
    out[key] = r.amount;
  }
  return out;
}

function expected(family, branch, at) {
  if (family === 'bitcoin') return bitcoinBalances(branch, at).balances;
  const e = solanaBalances(branch, at);
  return { ...e.sol, ...e.spl };
}

/// Throws an AssertionError naming the first differences; returns the number of balances.
/// (`file`: a JSON object { key: amount } to compare with instead of expected.js.)
async function assertBalances(config, chain, db, family, branch, at, label, file) {
  const got = await indexed(config, chain, db);
  const want = file ? JSON.parse(require('node:fs').readFileSync(file, 'utf8')) : expected(family, branch, at);
  const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
  const bad = [...keys].filter((k) => got[k] !== want[k]);
  assert(bad.length === 0, `${label}: ${bad.length} of ${keys.size} balances differ from ${file || 'expected.js'} (${branch}${at === undefined ? '' : ' at ' + at}): ${bad.slice(0, 4).map((k) => `${k} indexed ${got[k] || 0}, expected ${want[k] || 0}`).join('; ')}`);
  return Object.keys(want).length;
}

module.exports = { indexed, expected, assertBalances };

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
  const [config, db, chain, family] = ['config', 'db', 'chain', 'family'].map(opt);
  const branch = opt('branch') || 'main';
  const at = opt('at') === undefined ? undefined : Number(opt('at'));
  const file = opt('expected');
  if (!config || !db || !chain || !['bitcoin', 'solana'].includes(family) || (at !== undefined && !Number.isInteger(at))) {
    console.error('usage: balances.js --config FILE --db URL --chain NAME --family bitcoin|solana [--branch main|fork] [--at N] [--expected FILE]');
    process.exit(2);
  }
  assertBalances(config, chain, db, family, branch, at, 'balances', file).then((n) => {
    console.log(`${n} balances equal ${file ? require('node:path').basename(file) : 'expected.js'} (${branch}${at === undefined ? '' : ' at ' + at})`);
  }, (e) => {
    console.error(`balances.js: ${e instanceof AssertionError ? e.message : e.stack || e.message}`);
    process.exit(1);
  });
}
