#!/usr/bin/env node
'use strict';
// Generates a benchmark chain on a running anvil (started with --no-mining, as scripts/bench does):
// 5 ERC-20 tokens (two 18-decimal, one 6-decimal, one fee-on-transfer, one mint/burn) and 1,000
// accounts that all hold every token and send random transfers, 100 transactions a block. About
// 30% go through the fee token and emit 2 Transfer logs, so 100k transactions give ~130k logs.
//
//   node gen-chain.js --rpc URL --transfers N [--state FILE] [--per-block 100] [--seed S]
//
// With --state FILE, a first run writes the token addresses there and a later run with the same
// file extends the same chain by N more transactions. Progress goes to stderr; the result is one
// JSON object on stdout: { head, txs, transfer_logs, tokens, … } where transfer_logs counts every
// 3-topic Transfer log of the whole chain (via eth_getLogs), checked against the generator's own
// count (a reverted transaction would show as a difference).
const fs = require('node:fs');
const { Rpc } = require('./lib/rpc');
const { compileAll } = require('./lib/compile');
const { encodeCall, encodeDeploy, hexQty, TRANSFER_TOPIC } = require('./lib/abi');
const { prng } = require('./lib/traffic');
const { DEFAULT_T0, BLOCK_TIME } = require('./lib/anvil');

function parseArgs(argv) {
  const o = { rpc: null, transfers: 100000, state: null, perBlock: 100, seed: 7, t0: DEFAULT_T0, accounts: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) usage(`${k} needs a value`);
      return argv[++i];
    };
    if (k === '--rpc') o.rpc = v();
    else if (k === '--transfers') o.transfers = Number(v());
    else if (k === '--state') o.state = v();
    else if (k === '--per-block') o.perBlock = Number(v());
    else if (k === '--seed') o.seed = Number(v());
    else if (k === '--t0') o.t0 = Number(v());
    else if (k === '--accounts') o.accounts = Number(v());
    else usage(`unknown argument ${k}`);
  }
  if (!o.rpc) usage('--rpc is required');
  for (const k of ['transfers', 'perBlock', 'seed', 't0', 'accounts']) {
    if (!Number.isInteger(o[k]) || o[k] < 0) usage(`--${k} must be a non-negative integer`);
  }
  if (o.perBlock < 1 || o.perBlock > 200) usage('--per-block must be 1..200');
  return o;
}

function usage(msg) {
  console.error(`gen-chain: ${msg}\nusage: node gen-chain.js --rpc URL --transfers N [--state FILE] [--per-block 100] [--seed S]`);
  process.exit(2);
}

const progress = (msg) => process.stderr.write(`gen-chain: ${msg}\n`);
const GWEI = 10n ** 9n;
const GAS = hexQty(120000);

class Generator {
  constructor(rpc, opts) {
    this.rpc = rpc;
    this.opts = opts;
    this.nonces = new Map();
    this.txs = 0;
    this.expectedLogs = 0;
  }

  async head() {
    return parseInt(await this.rpc.call('eth_blockNumber'), 16);
  }

  /// Sends txs ([{from, to, data}]) as one block, mined with timestamp T0 + 12*number, and checks
  /// that all of them are in it.
  async block(txs) {
    const n = BigInt(txs.length);
    const calls = txs.map((t, i) => {
      const nonce = this.nonces.get(t.from) || 0;
      this.nonces.set(t.from, nonce + 1);
      return ['eth_sendTransaction', [{ from: t.from, to: t.to, data: t.data, gas: t.gas ? hexQty(t.gas) : GAS, gasPrice: hexQty(100n * GWEI + n - BigInt(i)), nonce: hexQty(nonce) }]];
    });
    if (calls.length) await this.rpc.batch(calls);
    const number = this.headNumber + 1;
    // Not one batch: anvil runs a batch's requests concurrently.
    await this.rpc.call('evm_mine', [{ timestamp: this.opts.t0 + BLOCK_TIME * number }]);
    const count = await this.rpc.call('eth_getBlockTransactionCountByNumber', [hexQty(number)]);
    if (parseInt(count, 16) !== txs.length) {
      throw new Error(`block ${number} has ${parseInt(count, 16)} transactions, ${txs.length} were sent (a nonce or gas problem?)`);
    }
    this.headNumber = number;
    this.txs += txs.length;
    return number;
  }

  async loadNonces(addresses) {
    const counts = await this.rpc.batch(addresses.map((a) => ['eth_getTransactionCount', [a, 'latest']]));
    addresses.forEach((a, i) => this.nonces.set(a, parseInt(counts[i], 16)));
  }
}

function accountList(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push('0xbe7c' + i.toString(16).padStart(36, '0'));
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rpc = new Rpc(opts.rpc);
  const art = compileAll();
  const gen = new Generator(rpc, opts);
  gen.headNumber = await gen.head();
  const started = Date.now();
  const accounts = accountList(opts.accounts);
  let state = null;
  if (opts.state && fs.existsSync(opts.state)) {
    state = JSON.parse(fs.readFileSync(opts.state, 'utf8'));
    const code = await rpc.call('eth_getCode', [state.tokens[0].address, 'latest']);
    if (code === '0x') throw new Error(`${opts.state} names tokens that are not on this chain`);
    progress(`extending the chain at block ${gen.headNumber} (${state.tokens.length} tokens from ${opts.state})`);
  }

  await rpc.call('anvil_autoImpersonateAccount', [true]);
  await rpc.batch(accounts.map((a) => ['anvil_setBalance', [a, hexQty(10n ** 24n)]]));
  const deployer = (await rpc.call('eth_accounts'))[0].toLowerCase();
  await gen.loadNonces([deployer, ...accounts]);

  if (!state) {
    const collector = accounts[0];
    const specs = [
      ['Token18', [10n ** 30n]], ['Token18', [10n ** 30n]], ['Token6', [10n ** 18n]], ['FeeToken', [10n ** 30n, collector]], ['MintBurnToken', []],
    ];
    await gen.block(specs.map(([name, args]) => ({ from: deployer, data: encodeDeploy(art[name].bytecode, ...args), gas: 3000000 })));
    // Contract addresses follow from the deployer's nonces; read them from the block's receipts.
    const blk = await rpc.call('eth_getBlockByNumber', [hexQty(gen.headNumber), false]);
    const receipts = await rpc.batch(blk.transactions.map((h) => ['eth_getTransactionReceipt', [h]]));
    receipts.forEach((r, i) => { if (r.status !== '0x1') throw new Error(`deploying ${specs[i][0]} failed`); });
    gen.expectedLogs += specs.filter(([name]) => name !== 'MintBurnToken').length; // constructors mint the supply
    state = {
      deployer,
      collector,
      tokens: specs.map(([name], i) => ({ name, address: receipts[i].contractAddress.toLowerCase(), decimals: name === 'Token6' ? 6 : 18 })),
    };
    if (opts.state) fs.writeFileSync(opts.state, JSON.stringify(state, null, 2));
    // Every account gets every token: transfers from the deployer, mints for MintBurnToken.
    const mintSel = art.MintBurnToken.selectors['mint(address,uint256)'];
    const dist = [];
    for (const a of accounts) {
      for (const t of state.tokens) {
        const amount = t.decimals === 6 ? 10n ** 13n : 10n ** 25n;
        const data = t.name === 'MintBurnToken' ? encodeCall(mintSel, a, amount) : encodeCall('a9059cbb', a, amount);
        dist.push({ from: deployer, to: t.address, data });
        gen.expectedLogs += t.name === 'FeeToken' ? 2 : 1;
      }
    }
    for (let i = 0; i < dist.length; i += opts.perBlock) await gen.block(dist.slice(i, i + opts.perBlock));
    progress(`deployed 5 tokens and funded ${accounts.length} accounts: ${dist.length} transfers in ${gen.headNumber} blocks`);
  }

  const fee = state.tokens.find((t) => t.name === 'FeeToken').address;
  const mb = state.tokens.find((t) => t.name === 'MintBurnToken').address;
  const burnSel = art.MintBurnToken.selectors['burn(uint256)'];
  const rng = prng(opts.seed * 1000003 + gen.headNumber);
  const remaining = Math.max(0, opts.transfers - gen.txs); // a fresh chain counts its setup transfers
  const startTxs = gen.txs;
  // Token choice: fee token 30% (2 logs when amount >= 100), the other four 17.5% each.
  const others = state.tokens.filter((t) => t.address !== fee);
  let lastReport = Date.now();
  for (let done = 0; done < remaining;) {
    const txs = [];
    for (let i = 0; i < opts.perBlock && done < remaining; i++, done++) {
      const from = accounts[rng.int(accounts.length)];
      const r = rng.next();
      const to = r < 0.01 ? from : accounts[rng.int(accounts.length)];
      const token = rng.next() < 0.3 ? { address: fee, decimals: 18, name: 'FeeToken' } : others[rng.int(others.length)];
      const max = token.decimals === 6 ? 1000000 : 1e15;
      const amount = r > 0.99 ? 0n : BigInt(rng.int(max)) * (token.decimals === 6 ? 1n : 1000n);
      if (token.address === mb && rng.next() < 0.05) {
        txs.push({ from, to: mb, data: encodeCall(burnSel, amount) });
        gen.expectedLogs += 1;
        continue;
      }
      txs.push({ from, to: token.address, data: encodeCall('a9059cbb', to, amount) });
      gen.expectedLogs += token.address === fee && amount >= 100n ? 2 : 1;
    }
    await gen.block(txs);
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      const s = (Date.now() - started) / 1000;
      progress(`${done} / ${remaining} transfers, block ${gen.headNumber}, ${Math.round((gen.txs - startTxs) / s)} tx/s`);
    }
  }
  const genSeconds = (Date.now() - started) / 1000;
  progress(`${gen.txs} transactions in ${genSeconds.toFixed(1)} s (${Math.round(gen.txs / genSeconds)} tx/s); head ${gen.headNumber}`);

  // Count every ERC-20 Transfer log of the whole chain (all runs) through eth_getLogs.
  const t = Date.now();
  let logs = 0;
  const step = 250;
  for (let from = 0; from <= gen.headNumber; from += step) {
    const to = Math.min(gen.headNumber, from + step - 1);
    const res = await rpc.call('eth_getLogs', [{ fromBlock: hexQty(from), toBlock: hexQty(to), topics: [TRANSFER_TOPIC] }]);
    for (const l of res) if (l.topics.length === 3) logs++;
  }
  progress(`eth_getLogs: ${logs} Transfer logs in blocks 0..${gen.headNumber} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  const previous = (state && state.transfer_logs) || 0;
  if (logs !== previous + gen.expectedLogs) {
    throw new Error(`the chain has ${logs} Transfer logs, expected ${previous} + ${gen.expectedLogs}: some transactions reverted`);
  }
  if (opts.state) fs.writeFileSync(opts.state, JSON.stringify({ ...state, transfer_logs: logs, head: gen.headNumber }, null, 2));
  console.log(JSON.stringify({ head: gen.headNumber, txs: gen.txs, transfer_logs: logs, generate_seconds: genSeconds, tokens: state.tokens.map((x) => x.address) }));
}

main().catch((e) => {
  console.error(`gen-chain: ${e.stack || e.message}`);
  process.exit(1);
});
