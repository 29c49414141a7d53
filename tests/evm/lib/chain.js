'use strict';
// Drives a local anvil chain: deploys the test contracts, sends blocks of transactions whose
// mined order equals their send order (strictly decreasing gas price, anvil --order fees), checks
// every receipt, and reads balanceOf at a block.
const { compileAll } = require('./compile');
const { encodeCall, encodeDeploy, decodeUint, hexQty } = require('./abi');
const { mineBlock, DEFAULT_T0 } = require('./anvil');

const GWEI = 1000000000n;
const BASE_GAS_PRICE = 100n * GWEI; // far above anvil's base fee, which starts at 1 gwei
const GAS = { transfer: 120000, mint: 150000, deploy: 3000000, nft: 150000, burn: 120000 };

class Chain {
  constructor(rpc, { t0 = DEFAULT_T0 } = {}) {
    this.rpc = rpc;
    this.t0 = t0;
    this.nonces = new Map(); // lowercase address -> next nonce (BigInt-free Number)
    this.artifacts = compileAll();
  }

  async accounts() {
    return (await this.rpc.call('eth_accounts')).map((a) => a.toLowerCase());
  }

  async head() {
    return parseInt(await this.rpc.call('eth_blockNumber'), 16);
  }

  async block(tag) {
    const b = await this.rpc.call('eth_getBlockByNumber', [typeof tag === 'number' ? hexQty(tag) : tag, false]);
    if (!b) throw new Error(`no block ${tag}`);
    return b;
  }

  /// Lets any of `addresses` send transactions (auto-impersonation) and gives each `eth` ether.
  async fund(addresses, eth = 1000n) {
    await this.rpc.call('anvil_autoImpersonateAccount', [true]);
    const wei = hexQty(eth * GWEI * GWEI);
    await this.rpc.batch(addresses.map((a) => ['anvil_setBalance', [a, wei]]));
  }

  /// Forget the tracked nonces (after a reorg or revert they must be re-read from the node).
  resetNonces() {
    this.nonces.clear();
  }

  async loadNonces(senders) {
    const missing = [...new Set(senders.map((s) => s.toLowerCase()))].filter((s) => !this.nonces.has(s));
    if (!missing.length) return;
    const counts = await this.rpc.batch(missing.map((s) => ['eth_getTransactionCount', [s, 'pending']]));
    missing.forEach((s, i) => this.nonces.set(s, parseInt(counts[i], 16)));
  }

  /// Gives each tx its nonce and a gas price that strictly decreases in list order.
  async prepare(txs) {
    await this.loadNonces(txs.map((t) => t.from));
    const n = BigInt(txs.length);
    return txs.map((t, i) => {
      const from = t.from.toLowerCase();
      const nonce = this.nonces.get(from);
      this.nonces.set(from, nonce + 1);
      const tx = { from, data: t.data, gas: hexQty(t.gas || GAS.transfer), gasPrice: hexQty(BASE_GAS_PRICE + (n - BigInt(i))), nonce: hexQty(nonce) };
      if (t.to) tx.to = t.to;
      return tx;
    });
  }

  /// Sends `txs` ([{from, to, data, gas}]) in one JSON-RPC batch and mines them into one block.
  /// Checks that every tx landed in that block, in send order, with status 1. Returns the receipts.
  async sendBlock(txs, { label = 'block' } = {}) {
    const prepared = await this.prepare(txs);
    const hashes = prepared.length ? await this.rpc.batch(prepared.map((t) => ['eth_sendTransaction', [t]]), { chunk: 500 }) : [];
    const number = await mineBlock(this.rpc, this.t0);
    const receipts = hashes.length ? await this.rpc.batch(hashes.map((h) => ['eth_getTransactionReceipt', [h]]), { chunk: 1000 }) : [];
    receipts.forEach((r, i) => {
      if (!r) throw new Error(`${label}: tx ${i} (${hashes[i]}) was not mined into block ${number}`);
      if (parseInt(r.blockNumber, 16) !== number) throw new Error(`${label}: tx ${i} mined in block ${parseInt(r.blockNumber, 16)}, expected ${number}`);
      if (parseInt(r.transactionIndex, 16) !== i) throw new Error(`${label}: tx ${i} mined at index ${parseInt(r.transactionIndex, 16)}: mined order differs from send order`);
      if (r.status !== '0x1') throw new Error(`${label}: tx ${i} (${hashes[i]}) reverted in block ${number}: ${JSON.stringify(txs[i])}`);
    });
    return { number, receipts };
  }

  /// Deploys contracts in one block. `specs` = [{ name, args: [...] , from }]; returns addresses
  /// (lowercase) in order.
  async deploy(specs, from) {
    const txs = specs.map((s) => {
      const art = this.artifacts[s.name];
      if (!art) throw new Error(`no compiled contract ${s.name}`);
      return { from: s.from || from, data: encodeDeploy(art.bytecode, ...(s.args || [])), gas: GAS.deploy };
    });
    const { receipts } = await this.sendBlock(txs, { label: 'deploy' });
    return receipts.map((r) => r.contractAddress.toLowerCase());
  }

  selector(contract, signature) {
    const s = this.artifacts[contract].selectors[signature];
    if (!s) throw new Error(`${contract} has no function ${signature}`);
    return s;
  }

  transferTx(token, from, to, amount) {
    return { from, to: token, data: encodeCall('a9059cbb', to, amount), gas: GAS.transfer };
  }

  mintTx(token, owner, to, amount) {
    return { from: owner, to: token, data: encodeCall(this.selector('MintBurnToken', 'mint(address,uint256)'), to, amount), gas: GAS.mint };
  }

  burnTx(token, from, amount) {
    return { from, to: token, data: encodeCall(this.selector('MintBurnToken', 'burn(uint256)'), amount), gas: GAS.burn };
  }

  nftMintTx(nft, from, to, id) {
    return { from, to: nft, data: encodeCall(this.selector('Nft721', 'mint(address,uint256)'), to, id), gas: GAS.nft };
  }

  nftTransferTx(nft, from, to, id) {
    return { from, to: nft, data: encodeCall(this.selector('Nft721', 'transferFrom(address,address,uint256)'), from, to, id), gas: GAS.nft };
  }

  /// balanceOf(account) of `token` at block `block` (number or tag).
  async balanceOf(token, account, block = 'latest') {
    const tag = typeof block === 'number' ? hexQty(block) : block;
    return decodeUint(await this.rpc.call('eth_call', [{ to: token, data: encodeCall('70a08231', account) }, tag]));
  }

  /// balanceOf for many [token, account] pairs at one block, in one batch; returns BigInts.
  async balancesOf(pairs, block = 'latest') {
    const tag = typeof block === 'number' ? hexQty(block) : block;
    const res = await this.rpc.batch(pairs.map(([token, account]) => ['eth_call', [{ to: token, data: encodeCall('70a08231', account) }, tag]]), { chunk: 1000 });
    return res.map(decodeUint);
  }
}

module.exports = { Chain, GAS, BASE_GAS_PRICE };
