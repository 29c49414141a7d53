'use strict';
// Builds the fake Solana chain in memory from real mainnet getBlock results
// (tests/fixtures/sol/chainstorage, json encoding).
//
//   slot  main                                  fork
//   1000  synthesized funding block              same
//   1001  skipped                                skipped
//   1002  mainnet slot 100000000 (10 txs)        same
//   1003  synthesized bridge block (rewards)     same
//   1004  mainnet slot 154808473 (v0 tx)         skipped
//   1005  skipped                                slot 154808473's txs re-parented, new blockhash
//   1006  synthesized SOL transfer (1.5 SOL)     synthesized SOL transfer (0.25 SOL)
//   1007  -                                      synthesized USDC transfer (1 USDC)
//
// The funding block gives every account the balance it has just before it first appears, so the
// chain is consistent from slot 1000 on: every pre balance equals the running balance. The two
// real blocks are ~55M slots apart, and two accounts changed balance in between outside any kept
// transaction (the Token program account and the Clock sysvar); the bridge block at 1003
// carries that change as two "Rent" rewards (one negative), see README.md. Building asserts the
// consistency of both branches transaction by transaction.
const path = require('node:path');
const fs = require('node:fs');
const { FIXTURES, base58encode, solHash, solSignature, clone } = require('./util');

const SOL = path.join(FIXTURES, 'sol', 'chainstorage');
const GENESIS_HASH = 'GH7ome3EiwEr7tu9JuTh2dpYWBJK3z69Xm1ZE3MEE6JC';
const FIRST_SLOT = 1000;
const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
const SYSTEM_PROGRAM = '11111111111111111111111111111111';
// Accounts used by the synthesized transactions (all seen in the real blocks).
const VOTER = '7PwCuKPmGF3ZqWHgn8zXPtsWJ7Ud2q1DFggRkzctwJnJ'; // fee payer of slot 100000000's first tx
const TRADER = 'JARehRjGUkkEShpjzfuV4ERJS25j8XhamL776FAktNGm'; // fee payer of the v0 tx, owns token accounts
const LEADER = 'DDnAqxJVFo2GVTujibHt5cjevHMSE9bo8HJaydHoshdp'; // fee reward of slot 100000000
const TRADER_USDC = '2PYVzDJ6Buks4yUVeDEhLwc14wKpxbehEsbeU6yM8J8d'; // USDC account owned by TRADER
const OTHER_USDC = 'CfWX7o2TswwbxusJ4hCaPobu2jLCb1hfXuXJQjVq3jQF'; // USDC account owned by 5C1k9yV7…

function check(cond, msg) { if (!cond) throw new Error(`sol-chain: ${msg}`); }

/// The full account list of a transaction: static keys, then loaded writable, then readonly.
function accountKeys(tx) {
  const la = tx.meta.loadedAddresses || {};
  return [...tx.transaction.message.accountKeys, ...(la.writable || []), ...(la.readonly || [])];
}

function loadBlock(file) {
  const b = JSON.parse(fs.readFileSync(path.join(SOL, file), 'utf8'));
  for (const tx of b.transactions) {
    const keys = accountKeys(tx);
    check(new Set(keys).size === keys.length, `${file}: duplicate account key`);
    check(keys.length === tx.meta.preBalances.length && keys.length === tx.meta.postBalances.length, `${file}: balances do not match the account keys`);
    // JSON.parse reads lamports as doubles: exact only below 2^53, so make sure they are.
    for (const v of [...tx.meta.preBalances, ...tx.meta.postBalances, tx.meta.fee]) check(Number.isSafeInteger(v), `${file}: lamports ${v} not exact`);
  }
  for (const r of b.rewards || []) check(Number.isSafeInteger(r.lamports) && Number.isSafeInteger(r.postBalance), `${file}: reward not exact`);
  return b;
}

const tokenAmount = (e) => BigInt(e.uiTokenAmount.amount);

function uiTokenAmount(amount, decimals) {
  const s = amount.toString().padStart(decimals + 1, '0');
  let ui = decimals ? `${s.slice(0, -decimals)}.${s.slice(-decimals)}` : s;
  if (decimals) ui = ui.replace(/0+$/, '').replace(/\.$/, '');
  return { amount: amount.toString(), decimals, uiAmount: amount === 0n ? null : Number(ui), uiAmountString: ui };
}

// ---- a running ledger, used to build and to assert consistency ------------------------------

class Ledger {
  constructor() { this.sol = new Map(); this.tok = new Map(); }

  copy() {
    const l = new Ledger();
    l.sol = new Map(this.sol);
    l.tok = new Map(this.tok);
    return l;
  }

  lamports(k) { return this.sol.get(k) || 0; }

  /// Applies a block, asserting that every pre balance equals the running balance.
  apply(block, where) {
    block.transactions.forEach((tx, i) => {
      const keys = accountKeys(tx);
      const m = tx.meta;
      keys.forEach((k, j) => {
        check(m.preBalances[j] === this.lamports(k), `${where} tx ${i}: ${k} pre ${m.preBalances[j]} != running ${this.lamports(k)}`);
        this.sol.set(k, m.postBalances[j]);
      });
      const pre = new Map((m.preTokenBalances || []).map((e) => [e.accountIndex, e]));
      const post = new Map((m.postTokenBalances || []).map((e) => [e.accountIndex, e]));
      for (const idx of new Set([...pre.keys(), ...post.keys()])) {
        const k = keys[idx];
        const running = this.tok.has(k) ? this.tok.get(k).amount : 0n;
        const p = pre.has(idx) ? tokenAmount(pre.get(idx)) : 0n;
        check(p === running, `${where} tx ${i}: token account ${k} pre ${p} != running ${running}`);
        if (post.has(idx)) this.tok.set(k, { amount: tokenAmount(post.get(idx)), entry: post.get(idx) });
        else this.tok.delete(k);
      }
    });
    for (const r of block.rewards || []) {
      check(r.postBalance - r.lamports === this.lamports(r.pubkey), `${where} reward ${r.pubkey}: ${r.postBalance} - ${r.lamports} != running ${this.lamports(r.pubkey)}`);
      this.sol.set(r.pubkey, r.postBalance);
    }
  }
}

// ---- synthesized transactions ----------------------------------------------------------------

function message(keys, numReadonlyUnsigned, instructions, recentBlockhash) {
  return { accountKeys: keys, header: { numReadonlySignedAccounts: 0, numReadonlyUnsignedAccounts: numReadonlyUnsigned, numRequiredSignatures: 1 }, instructions, recentBlockhash };
}

function meta(fee, pre, post, preTok, postTok, logs) {
  return { err: null, fee, innerInstructions: [], logMessages: logs, postBalances: post, postTokenBalances: postTok, preBalances: pre, preTokenBalances: preTok, rewards: [], status: { Ok: null } };
}

/// Funding: each account goes from 0 to the balance it has just before its first appearance,
/// and each token account from no entry to its first pre token balance. Fee 0.
function fundingTxs(realBlocks) {
  const firstLamports = new Map();
  const firstToken = new Map(); // token account -> its first pre entry, or null if first seen without one
  for (const b of realBlocks) {
    for (const tx of b.transactions) {
      const keys = accountKeys(tx);
      keys.forEach((k, j) => { if (!firstLamports.has(k)) firstLamports.set(k, tx.meta.preBalances[j]); });
      const pre = new Map((tx.meta.preTokenBalances || []).map((e) => [e.accountIndex, e]));
      for (const e of [...(tx.meta.preTokenBalances || []), ...(tx.meta.postTokenBalances || [])]) {
        const k = keys[e.accountIndex];
        if (!firstToken.has(k)) firstToken.set(k, pre.get(e.accountIndex) || null);
      }
    }
    for (const r of b.rewards || []) if (!firstLamports.has(r.pubkey)) firstLamports.set(r.pubkey, r.postBalance - r.lamports);
  }
  const funded = [...firstLamports.keys()].filter((k) => firstLamports.get(k) > 0 || firstToken.get(k));
  const txs = [];
  for (let i = 0; i < funded.length; i += 16) {
    const keys = funded.slice(i, i + 16);
    const postTok = [];
    keys.forEach((k, idx) => { const e = firstToken.get(k); if (e) postTok.push({ ...clone(e), accountIndex: idx }); });
    txs.push({
      meta: meta(0, keys.map(() => 0), keys.map((k) => firstLamports.get(k)), [], postTok, ['chainidx fakechain: funding (synthesized)']),
      transaction: { message: message(keys, 0, [], GENESIS_HASH), signatures: [solSignature(`sol/funding/${txs.length}`)] },
    });
  }
  return txs;
}

/// Rewards that move each account to the balance the next real block expects before it.
function bridgeRewards(ledger, nextBlock) {
  const want = new Map();
  for (const tx of nextBlock.transactions) {
    const keys = accountKeys(tx);
    keys.forEach((k, j) => { if (!want.has(k)) want.set(k, tx.meta.preBalances[j]); });
    for (const e of tx.meta.preTokenBalances || []) {
      const k = keys[e.accountIndex];
      const have = ledger.tok.has(k) ? ledger.tok.get(k).amount : 0n;
      check(have === tokenAmount(e), `bridge: token account ${k} changed between the real blocks; not expressible as a reward`);
    }
  }
  return [...want].filter(([k, v]) => v !== ledger.lamports(k))
    .map(([k, v]) => ({ commission: null, lamports: v - ledger.lamports(k), postBalance: v, pubkey: k, rewardType: 'Rent' }));
}

function le64(n) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; }

/// A System Program transfer; the fee payer (`from`) pays 5000 lamports.
function solTransfer(ledger, from, to, lamports, label, recentBlockhash) {
  const keys = [from, to, SYSTEM_PROGRAM];
  const pre = keys.map((k) => ledger.lamports(k));
  const post = [pre[0] - lamports - 5000, pre[1] + lamports, pre[2]];
  const data = base58encode(Buffer.concat([Buffer.from([2, 0, 0, 0]), le64(lamports)]));
  return {
    meta: meta(5000, pre, post, [], [], [`Program ${SYSTEM_PROGRAM} invoke [1]`, `Program ${SYSTEM_PROGRAM} success`]),
    transaction: { message: message(keys, 1, [{ accounts: [0, 1], data, programIdIndex: 2 }], recentBlockhash), signatures: [solSignature(label)] },
  };
}

/// An SPL Token transfer between two token accounts of one mint, signed and paid by `owner`.
function splTransfer(ledger, owner, src, dst, amount, label, recentBlockhash) {
  const keys = [owner, src, dst, TOKEN_PROGRAM];
  const bal = keys.map((k) => ledger.lamports(k));
  const s = ledger.tok.get(src);
  const d = ledger.tok.get(dst);
  check(s && d && s.entry.mint === d.entry.mint && s.entry.owner === owner && s.amount >= amount, `splTransfer ${label}: bad accounts`);
  const entry = (idx, e, amt) => ({ accountIndex: idx, mint: e.mint, owner: e.owner, programId: e.programId, uiTokenAmount: uiTokenAmount(amt, e.uiTokenAmount.decimals) });
  const data = base58encode(Buffer.concat([Buffer.from([3]), le64(amount)]));
  return {
    meta: meta(5000, bal, [bal[0] - 5000, bal[1], bal[2], bal[3]],
      [entry(1, s.entry, s.amount), entry(2, d.entry, d.amount)],
      [entry(1, s.entry, s.amount - amount), entry(2, d.entry, d.amount + amount)],
      [`Program ${TOKEN_PROGRAM} invoke [1]`, 'Program log: Instruction: Transfer', `Program ${TOKEN_PROGRAM} success`]),
    transaction: { message: message(keys, 1, [{ accounts: [1, 2, 0], data, programIdIndex: 3 }], recentBlockhash), signatures: [solSignature(label)] },
  };
}

const feeReward = (ledger, lamports) => ({ commission: null, lamports, postBalance: ledger.lamports(LEADER) + lamports, pubkey: LEADER, rewardType: 'Fee' });

// ---- the chain -------------------------------------------------------------------------------

let cached = null;

function buildSolanaChain() {
  if (cached) return cached;
  const r1 = loadBlock('mainnet-slot-100000000-getBlock-json-trimmed.json');
  const r2 = loadBlock('mainnet-slot-154808473-getBlock-json-versioned-tx-trimmed.json');

  // Each branch: a list of { slot, block } or { slot, skipped: true }; blocks get their links
  // (parentSlot, previousBlockhash, blockHeight) from the branch.
  const link = (entries, parent) => {
    const out = [];
    let prev = parent;
    for (const e of entries) {
      if (e.skipped) { out.push(e); continue; }
      const b = e.block;
      Object.assign(b, { blockHeight: prev.blockHeight + 1, parentSlot: prev.slot, previousBlockhash: prev.blockhash });
      out.push(e);
      prev = { slot: e.slot, blockHeight: b.blockHeight, blockhash: b.blockhash };
    }
    return out;
  };
  const mk = (fields, transactions, rewards) => ({ blockHeight: 0, blockTime: fields.blockTime, blockhash: fields.blockhash, parentSlot: 0, previousBlockhash: '', rewards, transactions });

  const ledger = new Ledger();
  const funding = mk({ blockTime: r1.blockTime - 2, blockhash: solHash('sol/1000-funding') }, fundingTxs([r1, r2]), []);
  funding.about = 'synthesized funding block';
  const shared = link([
    { slot: 1000, block: funding },
    { slot: 1001, skipped: true },
    { slot: 1002, block: Object.assign(clone(r1), { about: 'mainnet slot 100000000' }) },
  ], { slot: FIRST_SLOT - 1, blockHeight: 899, blockhash: GENESIS_HASH });
  ledger.apply(shared[0].block, 'slot 1000');
  ledger.apply(shared[2].block, 'slot 1002');
  const bridge = mk({ blockTime: r1.blockTime, blockhash: solHash('sol/1003-bridge') }, [], bridgeRewards(ledger, r2));
  bridge.about = 'synthesized bridge block: balance changes between the two real blocks as rewards';
  shared.push(...link([{ slot: 1003, block: bridge }], { slot: 1002, blockHeight: shared[2].block.blockHeight, blockhash: r1.blockhash }));
  ledger.apply(bridge, 'slot 1003');
  const tail = { slot: 1003, blockHeight: bridge.blockHeight, blockhash: bridge.blockhash };

  // main: the real 154808473 block at 1004, then a 1.5 SOL transfer.
  const lm = ledger.copy();
  const r2main = Object.assign(clone(r2), { about: 'mainnet slot 154808473' });
  const mainTail = link([{ slot: 1004, block: r2main }], tail);
  lm.apply(r2main, 'main slot 1004');
  const t1 = solTransfer(lm, VOTER, TRADER, 1500000000, 'sol/main/1006/transfer', r2main.blockhash);
  const b1006 = mk({ blockTime: r2.blockTime + 1, blockhash: solHash('sol/main/1006') }, [t1], []);
  b1006.rewards = [feeReward(lm, 2500)];
  b1006.about = 'synthesized: 1.5 SOL VOTER -> TRADER';
  mainTail.push(...link([{ slot: 1005, skipped: true }, { slot: 1006, block: b1006 }], { slot: 1004, blockHeight: r2main.blockHeight, blockhash: r2main.blockhash }));
  lm.apply(b1006, 'main slot 1006');

  // fork: 1004 skipped, the same real txs at 1005 under a new hash, then two other transfers.
  const lf = ledger.copy();
  const r2fork = Object.assign(clone(r2), { blockhash: solHash('sol/fork/1005'), about: 'slot 154808473\'s txs re-parented, new blockhash' });
  const forkTail = link([{ slot: 1004, skipped: true }, { slot: 1005, block: r2fork }], tail);
  lf.apply(r2fork, 'fork slot 1005');
  const t2 = solTransfer(lf, VOTER, TRADER, 250000000, 'sol/fork/1006/transfer', r2fork.blockhash);
  const f1006 = mk({ blockTime: r2.blockTime + 1, blockhash: solHash('sol/fork/1006') }, [t2], []);
  f1006.rewards = [feeReward(lf, 2500)];
  f1006.about = 'synthesized: 0.25 SOL VOTER -> TRADER';
  forkTail.push(...link([{ slot: 1006, block: f1006 }], { slot: 1005, blockHeight: r2fork.blockHeight, blockhash: r2fork.blockhash }));
  lf.apply(f1006, 'fork slot 1006');
  const t3 = splTransfer(lf, TRADER, TRADER_USDC, OTHER_USDC, 1000000n, 'sol/fork/1007/usdc', f1006.blockhash);
  const f1007 = mk({ blockTime: r2.blockTime + 2, blockhash: solHash('sol/fork/1007') }, [t3], []);
  f1007.rewards = [feeReward(lf, 2500)];
  f1007.about = 'synthesized: 1 USDC TRADER -> 5C1k9yV7…';
  forkTail.push(...link([{ slot: 1007, block: f1007 }], { slot: 1006, blockHeight: f1006.blockHeight, blockhash: f1006.blockhash }));
  lf.apply(f1007, 'fork slot 1007');

  cached = {
    genesisHash: GENESIS_HASH,
    firstSlot: FIRST_SLOT,
    branches: { main: [...shared, ...mainTail], fork: [...shared, ...forkTail] },
    accountKeys,
  };
  return cached;
}

module.exports = { buildSolanaChain, accountKeys, GENESIS_HASH, TOKEN_PROGRAM };

if (require.main === module) {
  const c = buildSolanaChain();
  for (const [name, entries] of Object.entries(c.branches)) {
    console.log(`${name}:`);
    for (const e of entries) {
      if (e.skipped) console.log(`  ${e.slot} skipped`);
      else console.log(`  ${e.slot} ${e.block.blockhash} height ${e.block.blockHeight} parent ${e.block.parentSlot} ${e.block.transactions.length} tx ${(e.block.rewards || []).length} rewards  ${e.block.about}`);
    }
  }
}
