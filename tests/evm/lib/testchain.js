'use strict';
// A test chain on a running anvil: the five test contracts deployed, every token spread over ~13
// accounts, then blocks of random traffic; and what the tests learn from their own receipts: every
// (token, account) pair named by an ERC-20 Transfer log, and counts of each kind of transfer.
const { Chain } = require('./chain');
const { Traffic } = require('./traffic');
const { decodeErc20Transfer } = require('./abi');

const EXTRA_ACCOUNTS = [
  '0xc0ffee0000000000000000000000000000000001',
  '0xc0ffee0000000000000000000000000000000002',
];
const COLLECTOR = '0xfee0000000000000000000000000000000000c01';
const SYMBOLS = { t18: 'T18', t6: 'T6', fee: 'FEE', mb: 'MBT', nft: 'NFT' };

class TestChain {
  /// anvil: { rpc, url, t0 } (see anvil.js startAnvil). Mines 1 deploy block, 1 distribution
  /// block and `blocks` blocks of minOps..maxOps random operations each.
  static async create(anvil, { seed, blocks, minOps, maxOps }) {
    const chain = new Chain(anvil.rpc, { t0: anvil.t0 });
    const defaults = await chain.accounts();
    const accounts = [...defaults, ...EXTRA_ACCOUNTS, COLLECTOR];
    await chain.fund([...EXTRA_ACCOUNTS, COLLECTOR]);
    const deployer = defaults[0];
    const [t18, t6, fee, mb, nft] = await chain.deploy([
      { name: 'Token18', args: [10n ** 27n] },
      { name: 'Token6', args: [10n ** 15n] },
      { name: 'FeeToken', args: [10n ** 27n, COLLECTOR] },
      { name: 'MintBurnToken' },
      { name: 'Nft721' },
    ], deployer);
    const tokens = { t18, t6, fee, mb, nft };
    const tc = new TestChain(anvil, chain, tokens, new Traffic(chain, { tokens, accounts, owner: deployer, collector: COLLECTOR, seed }));
    // The deploy block's constructor mints are Transfer logs too.
    const deployBlock = await chain.rpc.call('eth_getBlockByNumber', ['latest', false]);
    tc.learn(await chain.rpc.batch(deployBlock.transactions.map((h) => ['eth_getTransactionReceipt', [h]])));
    await tc.mine(tc.traffic.distribution(deployer));
    for (let i = 0; i < blocks; i++) {
      await tc.mine(tc.traffic.randomOps(minOps + tc.traffic.rng.int(maxOps - minOps + 1)));
    }
    return tc;
  }

  constructor(anvil, chain, tokens, traffic) {
    this.anvil = anvil;
    this.chain = chain;
    this.tokens = tokens;
    this.erc20 = new Set([tokens.t18, tokens.t6, tokens.fee, tokens.mb]);
    this.traffic = traffic;
    this.pairs = new Map(); // "token account" -> [token, account], from ERC-20 Transfer logs
    this.counts = { txs: 0, erc20Logs: 0, nftLogs: 0, selfTransfers: 0, zeroTransfers: 0, mints: 0, burns: 0, feeLegs: 0 };
    this.snapshots = new Map(); // block number -> traffic model after that block
  }

  /// Symbol of a token address (for display).
  symbol(address) {
    const k = Object.keys(this.tokens).find((key) => this.tokens[key] === address);
    return k ? SYMBOLS[k] : address;
  }

  /// Records the ERC-20 (token, account) pairs of receipts' Transfer logs.
  learn(receipts) {
    for (const r of receipts) {
      this.counts.txs++;
      for (const log of r.logs) {
        const t = decodeErc20Transfer(log);
        if (t && this.erc20.has(t.token)) {
          this.counts.erc20Logs++;
          if (t.from === t.to) this.counts.selfTransfers++;
          if (t.value === 0n) this.counts.zeroTransfers++;
          if (/^0x0{40}$/.test(t.from)) this.counts.mints++;
          if (/^0x0{40}$/.test(t.to)) this.counts.burns++;
          if (t.token === this.tokens.fee && t.to === COLLECTOR && t.from !== COLLECTOR) this.counts.feeLegs++;
          for (const a of [t.from, t.to]) this.pairs.set(`${t.token} ${a}`, [t.token, a]);
        } else if (log.address.toLowerCase() === this.tokens.nft && log.topics.length === 4) {
          this.counts.nftLogs++;
        }
      }
    }
  }

  /// Sends `txs` as one block, learns from the receipts, keeps a snapshot of the traffic model.
  async mine(txs) {
    const { number, receipts } = await this.chain.sendBlock(txs);
    this.learn(receipts);
    this.snapshots.set(number, this.traffic.snapshot());
    return number;
  }

  head() {
    return this.chain.head();
  }
}

module.exports = { TestChain, EXTRA_ACCOUNTS, COLLECTOR, SYMBOLS };
