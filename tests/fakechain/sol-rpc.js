'use strict';
// Solana's JSON-RPC methods over the fake chain of sol-chain.js. Errors use the real codes and
// messages. Balances are each account's last post balance up to the slot of the requested
// commitment, the way a node's bank holds them (expected.js sums deltas instead).
const { buildSolanaChain, GENESIS_HASH, TOKEN_PROGRAM } = require('./sol-chain');
const { RpcError, base58decode, clone } = require('./util');

const DEVNET_GENESIS = 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG';
const COMMITMENTS = ['processed', 'confirmed', 'finalized'];

function checkPubkey(s) {
  let ok = typeof s === 'string';
  try { ok = ok && base58decode(s).length === 32; } catch (_) { ok = false; }
  if (!ok) throw new RpcError(-32602, 'Invalid param: Invalid');
}

class SolanaNode {
  constructor() {
    this.chain = buildSolanaChain();
    this.branch = 'main';
    this.tipLimit = null; // null = the whole branch
    this.finalizedLag = 2;
    this.wrongChain = false;
  }

  // ---- state (driven by POST /control) ----
  entries() { return this.chain.branches[this.branch]; }
  blocksUpTo(slot) { return this.entries().filter((e) => !e.skipped && e.slot <= slot); }
  lastBlockSlot(upTo) { const b = this.blocksUpTo(upTo); return b.length ? b[b.length - 1].slot : this.chain.firstSlot; }
  tip() { return this.lastBlockSlot(this.tipLimit === null ? Infinity : this.tipLimit); }

  setBranch(name) {
    if (!this.chain.branches[name]) throw new Error(`no branch ${name} (main, fork)`);
    this.branch = name;
    this.tipLimit = null;
    return this.state();
  }

  setTip(slot) {
    if (slot === undefined || slot === null) this.tipLimit = null;
    else if (!Number.isInteger(slot) || slot < this.chain.firstSlot) throw new Error(`slot must be >= ${this.chain.firstSlot}`);
    else this.tipLimit = slot;
    return this.state();
  }

  setFinalizedLag(n) {
    if (!Number.isInteger(n) || n < 0) throw new Error('finalized_lag must be an integer >= 0');
    this.finalizedLag = n;
    return this.state();
  }

  state() { return { branch: this.branch, slot: this.tip(), finalized: this.slotAt('finalized'), finalized_lag: this.finalizedLag }; }

  /// The slot a commitment sees. Like a real node, no commitment means "finalized"; finalized is
  /// the last block at or below tip - finalized_lag.
  slotAt(commitment) {
    const c = commitment === undefined ? 'finalized' : commitment;
    if (!COMMITMENTS.includes(c)) throw new RpcError(-32602, `Invalid params: unknown variant \`${c}\`, expected one of \`processed\`, \`confirmed\`, \`finalized\`.`);
    return c === 'finalized' ? this.lastBlockSlot(this.tip() - this.finalizedLag) : this.tip();
  }

  /// Account state at a slot: lamports and token accounts, from the last post values.
  stateAt(slot) {
    const key = `${this.branch}/${slot}`;
    if (this.stateCache && this.stateCache.key === key) return this.stateCache;
    const lamports = new Map();
    const tokens = new Map(); // token account -> its last post entry
    for (const { block } of this.blocksUpTo(slot)) {
      for (const tx of block.transactions) {
        const keys = this.chain.accountKeys(tx);
        keys.forEach((k, j) => lamports.set(k, tx.meta.postBalances[j]));
        const post = new Set();
        for (const e of tx.meta.postTokenBalances || []) { tokens.set(keys[e.accountIndex], e); post.add(e.accountIndex); }
        // A pre entry without a post entry: the token account was closed.
        for (const e of tx.meta.preTokenBalances || []) if (!post.has(e.accountIndex)) tokens.delete(keys[e.accountIndex]);
      }
      for (const r of block.rewards || []) lamports.set(r.pubkey, r.postBalance);
    }
    this.stateCache = { key, lamports, tokens };
    return this.stateCache;
  }

  getBlock(slot, cfg) {
    const c = typeof cfg === 'string' ? { encoding: cfg } : (cfg || {});
    if (!Number.isInteger(slot)) throw new RpcError(-32602, 'Invalid params: invalid type: expected u64.');
    if (c.commitment === 'processed') throw new RpcError(-32602, 'Method does not support commitment below `confirmed`');
    if (slot < this.chain.firstSlot) throw new RpcError(-32001, `Block ${slot} cleaned up, does not exist on node. First available block: ${this.chain.firstSlot}`);
    if (slot > this.slotAt(c.commitment)) throw new RpcError(-32004, `Block not available for slot ${slot}`);
    const e = this.entries().find((x) => x.slot === slot);
    if (!e || e.skipped) throw new RpcError(-32007, `Slot ${slot} was skipped, or missing due to ledger jump to recent snapshot`);
    const b = e.block;
    const max = c.maxSupportedTransactionVersion;
    if (max === undefined && b.transactions.some((t) => t.version !== undefined && t.version !== 'legacy')) {
      throw new RpcError(-32015, 'Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0');
    }
    const out = { blockHeight: b.blockHeight, blockTime: b.blockTime, blockhash: b.blockhash, parentSlot: b.parentSlot, previousBlockhash: b.previousBlockhash };
    if (c.rewards !== false) out.rewards = b.rewards || []; // a node always sends the array
    const details = c.transactionDetails || 'full';
    if (details === 'signatures') out.signatures = b.transactions.map((t) => t.transaction.signatures[0]);
    else if (details !== 'none') {
      // Only the json encoding is stored; jsonParsed, base64 etc. get json too (see README.md).
      // With maxSupportedTransactionVersion a node labels legacy transactions "legacy".
      out.transactions = b.transactions.map((t) => (max === undefined ? t : { ...t, version: t.version === undefined ? 'legacy' : t.version }));
    }
    return out;
  }

  getBlocks(start, end, cfg) {
    if (!Number.isInteger(start) || (end !== undefined && end !== null && !Number.isInteger(end))) throw new RpcError(-32602, 'Invalid params: invalid type: expected u64.');
    if (cfg && cfg.commitment === 'processed') throw new RpcError(-32602, 'Method does not support commitment below `confirmed`');
    const top = Math.min(end === undefined || end === null ? Infinity : end, this.slotAt(cfg && cfg.commitment));
    if (top !== Infinity && top - start > 500000) throw new RpcError(-32602, 'Slot range too large; max 500000');
    return this.blocksUpTo(top).map((e) => e.slot).filter((s) => s >= start);
  }

  tokenAccountsByOwner(owner, filter, cfg) {
    checkPubkey(owner);
    if (!filter || (filter.mint === undefined) === (filter.programId === undefined)) throw new RpcError(-32602, 'Invalid params: expected a map with exactly one of mint, programId.');
    const slot = this.slotAt(cfg && cfg.commitment);
    const st = this.stateAt(slot);
    const value = [];
    for (const [pubkey, e] of st.tokens) {
      if (!e.owner || e.owner !== owner) continue; // old entries have no owner: not findable by owner
      const program = e.programId || TOKEN_PROGRAM;
      if (filter.mint !== undefined ? e.mint !== filter.mint : program !== filter.programId) continue;
      value.push({
        pubkey,
        account: {
          data: { parsed: { info: { isNative: false, mint: e.mint, owner: e.owner, state: 'initialized', tokenAmount: clone(e.uiTokenAmount) }, type: 'account' }, program: 'spl-token', space: 165 },
          executable: false, lamports: st.lamports.get(pubkey) || 0, owner: program, rentEpoch: 0, space: 165,
        },
      });
    }
    return { context: { apiVersion: '1.18.26', slot }, value };
  }

  // ---- methods ----
  handle(method, params) {
    const p = Array.isArray(params) ? params : [];
    const cfgAt = (i) => (p[i] && typeof p[i] === 'object' ? p[i] : {});
    switch (method) {
      case 'getGenesisHash': return this.wrongChain ? DEVNET_GENESIS : GENESIS_HASH;
      case 'getVersion': return { 'feature-set': 3241752014, 'solana-core': '1.18.26' };
      case 'getHealth': return 'ok';
      case 'getSlot': return this.slotAt(cfgAt(0).commitment);
      case 'getBlockHeight': {
        const s = this.slotAt(cfgAt(0).commitment);
        return this.entries().find((e) => e.slot === s).block.blockHeight;
      }
      case 'getFirstAvailableBlock': case 'minimumLedgerSlot': return this.chain.firstSlot;
      case 'getBlocks': {
        const endIsCfg = p[1] && typeof p[1] === 'object';
        return this.getBlocks(p[0], endIsCfg ? undefined : p[1], endIsCfg ? p[1] : p[2]);
      }
      case 'getBlocksWithLimit': {
        if (!Number.isInteger(p[1]) || p[1] < 0) throw new RpcError(-32602, 'Invalid params: invalid type: expected u64.');
        return this.getBlocks(p[0], undefined, p[2]).slice(0, p[1]);
      }
      case 'getBlock': return this.getBlock(p[0], p[1]);
      case 'getBalance': {
        checkPubkey(p[0]);
        const slot = this.slotAt(cfgAt(1).commitment);
        return { context: { apiVersion: '1.18.26', slot }, value: this.stateAt(slot).lamports.get(p[0]) || 0 };
      }
      case 'getTokenAccountsByOwner': return this.tokenAccountsByOwner(p[0], p[1], p[2]);
      case 'getTokenAccountBalance': {
        // A token account's amount (its last token entry); old entries without owner are only
        // findable this way.
        checkPubkey(p[0]);
        const slot = this.slotAt(cfgAt(1).commitment);
        const e = this.stateAt(slot).tokens.get(p[0]);
        if (!e) throw new RpcError(-32602, 'Invalid param: not a Token account');
        return { context: { apiVersion: '1.18.26', slot }, value: clone(e.uiTokenAmount) };
      }
      case 'getLatestBlockhash': {
        const slot = this.slotAt(cfgAt(0).commitment);
        const b = this.entries().find((e) => e.slot === slot).block;
        return { context: { apiVersion: '1.18.26', slot }, value: { blockhash: b.blockhash, lastValidBlockHeight: b.blockHeight + 150 } };
      }
      default: throw new RpcError(-32601, 'Method not found');
    }
  }
}

module.exports = { SolanaNode, GENESIS_HASH, DEVNET_GENESIS };
