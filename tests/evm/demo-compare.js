#!/usr/bin/env node
'use strict';
// For scripts/demo: reads `chainidx balances --output json` on stdin and prints every indexed
// balance beside the token's own balanceOf at the same block (eth_call). Exits 1 on a difference.
//
//   chainidx balances --chain anvil --output json | node demo-compare.js --state DIR/demo.json
const fs = require('node:fs');
const { Rpc } = require('./lib/rpc');
const { encodeCall, decodeUint, hexQty } = require('./lib/abi');

async function main() {
  const args = process.argv.slice(2);
  const i = args.indexOf('--state');
  if (i < 0 || i + 1 >= args.length) {
    console.error('usage: chainidx balances … --output json | node demo-compare.js --state demo.json');
    process.exit(2);
  }
  const state = JSON.parse(fs.readFileSync(args[i + 1], 'utf8'));
  const rows = JSON.parse(fs.readFileSync(0, 'utf8'));
  if (!rows.length) {
    console.log('no balances indexed');
    process.exit(1);
  }
  const rpc = new Rpc(state.rpc);
  const block = Number(rows[0].block);
  const onChain = await rpc.batch(rows.map((r) => ['eth_call', [{ to: r.token, data: encodeCall('70a08231', r.account) }, hexQty(Number(r.block))]]));
  const w = Math.max(...rows.map((r) => r.amount.length), 'chainidx'.length);
  console.log(`${'token'.padEnd(5)} ${'account'.padEnd(42)} ${'chainidx'.padStart(w)} ${'balanceOf'.padStart(w)}  same`);
  let bad = 0;
  rows.forEach((r, k) => {
    const chain = decodeUint(onChain[k]).toString();
    const same = chain === r.amount;
    if (!same) bad++;
    console.log(`${(state.symbols[r.token] || r.token).padEnd(5)} ${r.account.padEnd(42)} ${r.amount.padStart(w)} ${chain.padStart(w)}  ${same ? 'yes' : 'NO'}`);
  });
  console.log(`${rows.length - bad} of ${rows.length} indexed balances equal balanceOf at block ${block}${bad ? `; ${bad} differ` : ''}`);
  process.exit(bad ? 1 : 0);
}

main().catch((e) => {
  console.error(`demo-compare: ${e.stack || e.message}`);
  process.exit(1);
});
