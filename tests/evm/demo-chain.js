#!/usr/bin/env node
'use strict';
// For scripts/demo: on a running anvil (--no-mining), deploys the test tokens and mines a few dozen
// blocks of transfers (mints, burns, fee-on-transfer, self and zero transfers, NFT moves), then
// writes DIR/chainidx.toml (chain "anvil") and DIR/demo.json (token addresses and symbols, head).
// Prints the config path on stdout; a summary on stderr.
//
//   node demo-chain.js --rpc URL --out DIR [--blocks 30]
const fs = require('node:fs');
const path = require('node:path');
const { Rpc } = require('./lib/rpc');
const { TestChain } = require('./lib/testchain');
const { writeConfig } = require('./lib/config');
const { DEFAULT_T0 } = require('./lib/anvil');

async function main() {
  const args = process.argv.slice(2);
  const get = (k, d) => { const i = args.indexOf(k); return i >= 0 && i + 1 < args.length ? args[i + 1] : d; };
  const url = get('--rpc');
  const out = get('--out');
  const blocks = Number(get('--blocks', '30'));
  if (!url || !out || !Number.isInteger(blocks)) {
    console.error('usage: node demo-chain.js --rpc URL --out DIR [--blocks 30]');
    process.exit(2);
  }
  const t0 = Number(get('--t0', String(DEFAULT_T0)));
  const tc = await TestChain.create({ rpc: new Rpc(url), url, t0 }, { seed: 2024, blocks, minOps: 5, maxOps: 12 });
  const head = await tc.head();
  fs.mkdirSync(out, { recursive: true });
  const config = writeConfig(out, { name: 'anvil', rpcUrl: url, file: 'chainidx.toml' });
  const symbols = Object.fromEntries(Object.values(tc.tokens).map((a) => [a, tc.symbol(a)]));
  fs.writeFileSync(path.join(out, 'demo.json'), JSON.stringify({ rpc: url, head, tokens: tc.tokens, symbols }, null, 2));
  const c = tc.counts;
  console.error(`demo chain: ${head} blocks, ${c.txs} txs, ${c.erc20Logs} ERC-20 Transfer logs (${c.mints} mints, ${c.burns} burns, ${c.selfTransfers} self, ${c.zeroTransfers} zero-amount, ${c.feeLegs} fee legs) and ${c.nftLogs} ERC-721 Transfer logs`);
  for (const [a, s] of Object.entries(symbols)) console.error(`  ${s.padEnd(4)} ${a}`);
  console.log(config);
}

main().catch((e) => {
  console.error(`demo-chain: ${e.stack || e.message}`);
  process.exit(1);
});
