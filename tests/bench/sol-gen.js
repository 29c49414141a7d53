#!/usr/bin/env node
'use strict';
// A deterministic Solana chain of mainnet-shaped blocks for scripts/bench --family solana:
// ~1,200 non-vote transactions per slot (~30% with SPL token balance changes: transfers, some
// creating or closing the receiver's / sender's token account, and AMM swaps against pool vaults;
// ~37% SOL transfers; the rest program calls that only pay the fee), ~3% of them failed (the fee
// is still paid, nothing else changes), ~20% version-0 transactions whose accounts partly come
// from meta.loadedAddresses; with --votes V, V vote transactions per slot too, each paid by a
// validator identity; a Fee reward to the slot's leader; ~5% of the slots skipped. Accounts
// (200,000 by default) are reused with a Zipf-like skew and start from a pre-funded genesis
// state; every pre balance is the generator's running balance, so the deltas chainidx diffs are
// exact. Blocks are written as Solana's `getBlock` results for chainidx's parameters (encoding
// json, transactionDetails full, maxSupportedTransactionVersion 0, rewards true) and, for its
// header look-ups (transactionDetails none, rewards false), without transactions and rewards.
//
//   node tests/bench/sol-gen.js --out DIR [--slots N] [--txs-per-slot T] [--votes V]
//        [--accounts A] [--seed S] [--checkpoints S1,S2,...]
//
// Slots are 1000..1000+N-1 (the first and the checkpoints never skipped). DIR gets meta.json
// (the parameters, first slot, genesis hash, per slot its blockhash or null when skipped and its
// transaction counts), blocks/SLOT.json and blocks/SLOT.header.json (the exact `result` bodies),
// and expected-SLOT.json per checkpoint slot: every balance chainidx should hold after that slot,
// computed here from the generator's own running state (never from chainidx) the way
// tests/fakechain/expected.js sums Solana balances: the sum of the deltas since the first slot,
// SOL by account, SPL by "owner|mint" (non-zero only; negative where an account pre-funded in the
// genesis spent more than it received). A DIR whose meta.json has the same parameters is reused.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { prng, reuseGenerated, nonNegativeInt } = require('./bench-lib');

const FIRST_SLOT = 1000;
const FEE = 5000; // lamports per signature; every transaction here has one
const TOKEN_RENT = 2039280; // a token account's rent-exempt lamports
const MIN_SOL = 890880; // a system account's rent-exempt minimum: transfers keep it

function parseArgs(argv) {
  const o = { slots: 100, txsPerSlot: 1200, votes: 0, accounts: 200000, seed: 1, checkpoints: [] };
  const num = nonNegativeInt;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = argv[++i];
    else if (a === '--slots') o.slots = num(a, argv[++i]);
    else if (a === '--txs-per-slot') o.txsPerSlot = num(a, argv[++i]);
    else if (a === '--votes') o.votes = num(a, argv[++i]);
    else if (a === '--accounts') o.accounts = num(a, argv[++i]);
    else if (a === '--seed') o.seed = num(a, argv[++i]);
    else if (a === '--checkpoints') o.checkpoints = String(argv[++i]).split(',').map((x) => num(a, x));
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.out || o.slots < 2 || o.txsPerSlot < 1 || o.accounts < 100) {
    throw new Error('usage: sol-gen.js --out DIR [--slots N>=2] [--txs-per-slot T>=1] [--votes V] [--accounts A>=100] [--seed S] [--checkpoints S1,...]');
  }
  const last = FIRST_SLOT + o.slots - 1;
  if (o.checkpoints.length === 0) o.checkpoints = [last];
  for (const s of o.checkpoints) if (s < FIRST_SLOT || s > last) throw new Error(`checkpoint ${s} is outside the slots ${FIRST_SLOT}..${last}`);
  return o;
}

// ---- base58 of real 32-byte values (tests/fakechain/util's BigInt version is too slow for
// 200,000 accounts): digits in base 58^2, 16 input bits at a time -----------------------------
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const PAIRS = Array.from({ length: 3364 }, (_, v) => B58[(v / 58) | 0] + B58[v % 58]);
const DIGITS = new Int32Array(64);
function b58(buf) {
  let n = 0;
  for (let i = 0; i < buf.length; i += 2) {
    const two = i + 1 < buf.length;
    const mul = two ? 65536 : 256;
    let carry = two ? (buf[i] << 8) | buf[i + 1] : buf[i];
    for (let j = 0; j < n; j++) {
      const x = DIGITS[j] * mul + carry;
      carry = (x / 3364) | 0;
      DIGITS[j] = x - carry * 3364;
    }
    while (carry > 0) { const q = (carry / 3364) | 0; DIGITS[n++] = carry - q * 3364; carry = q; }
  }
  let s = '';
  for (let j = n - 1; j >= 0; j--) s += PAIRS[DIGITS[j]];
  let z = 0;
  while (z < s.length && s.charCodeAt(z) === 49) z++;
  if (z) s = s.slice(z);
  for (let i = 0; i < buf.length && buf[i] === 0; i++) s = `1${s}`;
  return s;
}
const sha256 = (label) => crypto.createHash('sha256').update(label).digest();

// ---- real programs, sysvars and mints (their lamports never change here) ---------------------
const SYSTEM = '11111111111111111111111111111111';
const VOTE = 'Vote111111111111111111111111111111111111111';
const TOKEN = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
const TOKEN22 = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';
const ATA = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL';
const COMPUTE_BUDGET = 'ComputeBudget111111111111111111111111111111';
const RAYDIUM = '675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8';
const RAYDIUM_AUTHORITY = '5Q544fKrFoe6tsEbD7S8EmxGTJYAKtTVhAW5Q5pge4j1';
const PYTH = 'FsJ3A3u2vn5cTVofAjvy6y5kwABJAqYWpe4975bi2epH';
const MEMO = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr';
const CLOCK = 'SysvarC1ock11111111111111111111111111111111';
const FIXED_LAMPORTS = [[SYSTEM, 1], [VOTE, 1], [TOKEN, 934087680], [TOKEN22, 1141440], [ATA, 731913600],
  [COMPUTE_BUDGET, 1], [RAYDIUM, 1141440], [RAYDIUM_AUTHORITY, 10012039280], [PYTH, 1141440], [MEMO, 521498880],
  [CLOCK, 1169280]];
// weight: the share of token transactions in that mint
const MINTS = [
  { key: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6, program: TOKEN, weight: 0.33 }, // USDC
  { key: 'Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB', decimals: 6, program: TOKEN, weight: 0.2 }, // USDT
  { key: 'So11111111111111111111111111111111111111112', decimals: 9, program: TOKEN, weight: 0.17 }, // wSOL
  { key: 'DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263', decimals: 5, program: TOKEN, weight: 0.15 }, // BONK
  { key: 'JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN', decimals: 6, program: TOKEN, weight: 0.1 }, // JUP
  { key: '2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo', decimals: 6, program: TOKEN22, weight: 0.05 }, // PYUSD (Token-2022)
];
for (const m of MINTS) FIXED_LAMPORTS.push([m.key, 1461600]);
const POOLS = [[2, 0], [2, 1], [3, 2], [4, 0], [4, 2], [0, 1], [3, 0], [5, 0]]; // mint index pairs

// Log lines and instruction payloads: the size of mainnet's, not their meaning.
const invoke = (p, depth = 1) => `Program ${p} invoke [${depth}]`;
const success = (p) => `Program ${p} success`;
const consumed = (p, used, of) => `Program ${p} consumed ${used} of ${of} compute units`;
const CB_LOGS = [invoke(COMPUTE_BUDGET), success(COMPUTE_BUDGET), invoke(COMPUTE_BUDGET), success(COMPUTE_BUDGET)];

function generate(o) {
  const rand = prng(o.seed);
  const blocksDir = path.join(o.out, 'blocks');
  fs.mkdirSync(blocksDir, { recursive: true });
  const noise = Array.from({ length: 8192 }, () => B58[Math.floor(rand() * 58)]).join('');
  const data = (len) => { const at = Math.floor(rand() * (noise.length - len)); return noise.slice(at, at + len); };
  const u32le = (n) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
  const u64le = (n) => [...u32le(n % 4294967296), ...u32le(Math.floor(n / 4294967296))];
  const u64big = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return [...b]; };
  const ixData = (bytes) => b58(Buffer.from(bytes));
  // A signature: 87 base58 characters, the first at least '3' (so the value is 64 bytes, as
  // 2*58^86 > 2^504), then the transaction's number (unique), then noise.
  const signature = (k) => {
    let c = '';
    for (let j = 0, x = k; j < 6; j++, x = Math.floor(x / 58)) c = B58[x % 58] + c;
    return B58[2 + Math.floor(rand() * 56)] + c + data(80);
  };

  // Running state: lamports of every key seen, deltas since the first slot, token accounts.
  const lam = new Map(FIXED_LAMPORTS);
  const dSol = new Map();
  const dSpl = new Map();
  const addTo = (map, k, d) => { if (d !== 0) map.set(k, (map.get(k) || 0) + d); };

  // Users: the Zipf-reused accounts. ~10% start empty (new wallets); the rest with 0.05..200 SOL,
  // the 100 most used with 1,000..11,000 (so that someone can always pay).
  const users = new Array(o.accounts);
  const user = (i) => {
    let u = users[i];
    if (!u) {
      u = { i, key: b58(sha256(`sol-bench:${o.seed}:account:${i}`)), atas: new Array(MINTS.length) };
      const r = rand();
      const sol = i < 100 ? 1e12 + Math.floor(r * 1e13) : r < 0.1 ? 0 : Math.floor(1e9 * 10 ** (r * 3.6 - 1.3));
      lam.set(u.key, sol);
      users[i] = u;
    }
    return u;
  };
  const pickUser = () => user(Math.floor(o.accounts * rand() ** 3));
  const pickOther = (not) => { for (;;) { const u = pickUser(); if (u !== not) return u; } };
  // A user's associated token account of a mint; ~70% exist in the genesis, holding 10^0..10^6
  // whole tokens (skewed towards small). Token amounts are BigInts (u64 on chain).
  const ata = (u, m) => {
    let a = u.atas[m];
    if (!a) {
      const exists = rand() < 0.7;
      const mint = MINTS[m];
      a = { key: b58(sha256(`sol-bench:${o.seed}:ata:${u.i}:${m}`)), owner: u.key, mint: m, exists, amount: exists ? BigInt(Math.floor(10 ** (rand() ** 2 * 6))) * 10n ** BigInt(mint.decimals) : 0n };
      lam.set(a.key, exists ? TOKEN_RENT : 0);
      u.atas[m] = a;
    }
    return a;
  };
  const pickMint = () => {
    let r = rand();
    for (let m = 0; m < MINTS.length; m++) { r -= MINTS[m].weight; if (r < 0) return m; }
    return 0;
  };
  // Pools: a state account and two vaults owned by the AMM authority, 10^17 base units each.
  const pools = POOLS.map(([x, y], p) => {
    const key = (what) => b58(sha256(`sol-bench:${o.seed}:pool:${p}:${what}`));
    const pool = { state: key('state'), lut: key('lookup-table'), vaults: [x, y].map((m, side) => ({ key: key(`vault${side}`), owner: RAYDIUM_AUTHORITY, mint: m, exists: true, amount: 10n ** 17n })) };
    lam.set(pool.state, 6124800);
    for (const v of pool.vaults) lam.set(v.key, TOKEN_RENT);
    return pool;
  });
  // Oracle price accounts (written by fee-only transactions) and a lookup table for transfers.
  const oracles = Array.from({ length: 40 }, (_, k) => b58(sha256(`sol-bench:${o.seed}:oracle:${k}`)));
  for (const k of oracles) lam.set(k, 23942400);
  const transferLut = b58(sha256(`sol-bench:${o.seed}:lookup-table:transfers`));
  // Validators: identities (pay the votes, get the leader's fee reward) and vote accounts.
  const validators = Array.from({ length: Math.max(o.votes, 50) }, (_, k) => {
    const v = { identity: b58(sha256(`sol-bench:${o.seed}:identity:${k}`)), vote: b58(sha256(`sol-bench:${o.seed}:vote:${k}`)) };
    lam.set(v.identity, 1e10 + Math.floor(rand() * 1e11));
    lam.set(v.vote, 27074400 + Math.floor(rand() * 1e10));
    return v;
  });

  const tokenEntry = (idx, a, amount) => {
    const mint = MINTS[a.mint];
    const dec = mint.decimals;
    const s = String(amount).padStart(dec + 1, '0');
    const ui = `${s.slice(0, s.length - dec)}.${s.slice(s.length - dec)}`.replace(/0+$/, '').replace(/\.$/, '');
    return `{"accountIndex":${idx},"mint":"${mint.key}","owner":"${a.owner}","programId":"${mint.program}","uiTokenAmount":{"amount":"${amount}","decimals":${dec},"uiAmount":${amount === 0n ? 'null' : JSON.stringify(Number(ui))},"uiAmountString":"${ui}"}}`;
  };
  const strs = (xs) => (xs.length ? `"${xs.join('","')}"` : '');

  /// One transaction as getBlock JSON, applied to the running state. t: { sig, version (0 or
  /// 'legacy'), keys (static: signer first, then writable, then readonly), readonlyStatic,
  /// loadedW, loadedR, lookups, ixs [{ p, a: [keys], d }], inner [{ index, ixs }], logs, cu,
  /// payer, sol: [[key, delta]] (besides the fee), tok: [[account, new amount | null = closed]],
  /// listed (token accounts shown with unchanged amounts), err }.
  const counts = { txs: 0, votes: 0, failed: 0, v0: 0, token_txs: 0, bytes: 0, tx_counts: [], vote_counts: [] };
  function render(t, recent) {
    const all = [...t.keys, ...(t.loadedW || []), ...(t.loadedR || [])];
    const at = new Map(all.map((k, i) => [k, i]));
    if (at.size !== all.length) throw new Error(`sol-gen: duplicate account key in ${t.sig}`);
    const pre = all.map((k) => { const v = lam.get(k); if (v === undefined) throw new Error(`sol-gen: no lamports for ${k}`); return v; });
    const post = pre.slice();
    post[0] -= FEE;
    const ok = !t.err;
    if (ok) for (const [k, d] of t.sol || []) post[at.get(k)] += d;
    all.forEach((k, i) => {
      if (post[i] < 0 || !Number.isSafeInteger(post[i])) throw new Error(`sol-gen: ${k} would hold ${post[i]} lamports after ${t.sig}`);
      if (post[i] !== pre[i]) { lam.set(k, post[i]); addTo(dSol, k, post[i] - pre[i]); }
    });
    const preTok = [];
    const postTok = [];
    const tokAccts = [...(t.tok || []).map(([a, amt]) => [a, ok ? amt : (a.exists ? a.amount : null)]), ...(t.listed || []).map((a) => [a, a.amount])];
    tokAccts.sort((x, y) => at.get(x[0].key) - at.get(y[0].key));
    for (const [a, amt] of tokAccts) {
      const idx = at.get(a.key);
      if (a.exists) preTok.push(tokenEntry(idx, a, a.amount));
      if (amt !== null) postTok.push(tokenEntry(idx, a, amt));
      const d = (amt === null ? 0n : amt) - (a.exists ? a.amount : 0n);
      if (amt !== null && (amt < 0n || amt >= 2n ** 64n)) throw new Error(`sol-gen: bad token amount ${amt} in ${t.sig}`);
      if (d !== 0n) { const k = `${a.owner}|${MINTS[a.mint].key}`; dSpl.set(k, (dSpl.get(k) || 0n) + d); }
      a.exists = amt !== null;
      a.amount = amt === null ? 0n : amt;
    }
    const ix = (x, depth) => `{"accounts":[${x.a.map((k) => at.get(k)).join(',')}],"data":"${x.d}","programIdIndex":${at.get(x.p)},"stackHeight":${depth === 1 ? 'null' : depth}}`;
    const inner = (t.inner || []).map((g) => `{"index":${g.index},"instructions":[${g.ixs.map((x) => ix(x, 2)).join(',')}]}`).join(',');
    const err = t.err || 'null';
    const v0 = t.version === 0;
    const lookups = v0 ? `"addressTableLookups":[${t.lookups.map((l) => `{"accountKey":"${l.table}","readonlyIndexes":[${l.r.join(',')}],"writableIndexes":[${l.w.join(',')}]}`).join(',')}],` : '';
    const signers = t.signers || 1;
    if (v0) counts.v0++;
    if (!ok) counts.failed++;
    return `{"meta":{"computeUnitsConsumed":${t.cu},"err":${err},"fee":${FEE},"innerInstructions":[${inner}],"loadedAddresses":{"readonly":[${strs(t.loadedR || [])}],"writable":[${strs(t.loadedW || [])}]},"logMessages":[${strs(t.logs)}],"postBalances":[${post.join(',')}],"postTokenBalances":[${postTok.join(',')}],"preBalances":[${pre.join(',')}],"preTokenBalances":[${preTok.join(',')}],"rewards":[],"status":${ok ? '{"Ok":null}' : `{"Err":${err}}`}},"transaction":{"message":{"accountKeys":[${strs(t.keys)}],${lookups}"header":{"numReadonlySignedAccounts":0,"numReadonlyUnsignedAccounts":${t.readonlyStatic},"numRequiredSignatures":${signers}},"instructions":[${t.ixs.map((x) => ix(x, 1)).join(',')}],"recentBlockhash":"${recent}"},"signatures":["${t.sig}"]},"version":${v0 ? 0 : '"legacy"'}}`;
  }

  const cbIxs = () => [{ p: COMPUTE_BUDGET, a: [], d: ixData([2, ...u32le(200000 + Math.floor(rand() * 1200000))]) }, { p: COMPUTE_BUDGET, a: [], d: ixData([3, ...u64le(Math.floor(rand() * 2e6))]) }];
  const failWith = (index, code) => `{"InstructionError":[${index},{"Custom":${code}}]}`;

  // ---- transaction kinds: each returns t (see render) or null when the picked accounts cannot
  // pay for it (the caller falls back to a simpler kind) -----------------------------------------
  function feeOnly(payer, failed) {
    const acct = oracles[Math.floor(rand() * oracles.length)];
    const cu = 8000 + Math.floor(rand() * 40000);
    return {
      keys: [payer.key, acct, COMPUTE_BUDGET, PYTH, CLOCK], readonlyStatic: 3,
      ixs: [...cbIxs(), { p: PYTH, a: [payer.key, acct, CLOCK], d: data(120 + Math.floor(rand() * 200)) }],
      logs: [...CB_LOGS, invoke(PYTH), 'Program log: Instruction: UpdatePrice', `Program data: ${data(140)}`, consumed(PYTH, cu - 300, 1399850), failed ? `Program ${PYTH} failed: custom program error: 0x1771` : success(PYTH)],
      cu, err: failed ? failWith(2, 6001) : null,
    };
  }

  function solTransfer(payer, failed, v0) {
    const avail = lam.get(payer.key) - FEE - MIN_SOL;
    if (avail < 10000) return null;
    const to = pickOther(payer);
    const amount = 1 + Math.floor(avail * rand() ** 2 * 0.3);
    const ixs = [...cbIxs(), { p: SYSTEM, a: [payer.key, to.key], d: ixData([2, 0, 0, 0, ...u64le(amount)]) }];
    const logs = [...CB_LOGS, invoke(SYSTEM), failed ? `Transfer: insufficient lamports ${avail}, need ${amount + avail}` : success(SYSTEM)];
    if (failed) logs.push(`Program ${SYSTEM} failed: custom program error: 0x1`);
    const t = { ixs, logs, cu: 450, sol: [[payer.key, -amount], [to.key, amount]], err: failed ? failWith(2, 1) : null };
    if (v0) Object.assign(t, { version: 0, keys: [payer.key, COMPUTE_BUDGET, SYSTEM], readonlyStatic: 2, loadedW: [to.key], lookups: [{ table: transferLut, w: [Math.floor(rand() * 256)], r: [] }] });
    else Object.assign(t, { keys: [payer.key, to.key, COMPUTE_BUDGET, SYSTEM], readonlyStatic: 2 });
    return t;
  }

  function tokenTransfer(payer, failed) {
    let src = null;
    for (let k = 0; k < 6 && !src; k++) { const a = ata(payer, pickMint()); if (a.exists && a.amount > 0n) src = a; }
    if (!src || lam.get(payer.key) < FEE + TOKEN_RENT) return null;
    const mint = MINTS[src.mint];
    const to = pickOther(payer);
    const dst = ata(to, src.mint);
    const all = rand() < 0.05;
    const part = (src.amount * BigInt(Math.floor(rand() * 500))) / 1000n;
    const amount = all ? src.amount : part > 0n ? part : 1n;
    const close = all && rand() < 0.5;
    const create = !dst.exists;
    const keys = [payer.key, src.key, dst.key];
    const sol = [];
    const ixs = cbIxs();
    const logs = [...CB_LOGS];
    const inner = [];
    let readonly = [mint.key, COMPUTE_BUDGET, mint.program];
    const tcu = 6200;
    if (create) {
      keys.push(to.key);
      readonly = [...readonly, ATA, SYSTEM];
      sol.push([payer.key, -TOKEN_RENT], [dst.key, TOKEN_RENT]);
      ixs.push({ p: ATA, a: [payer.key, dst.key, to.key, mint.key, SYSTEM, mint.program], d: '' });
      inner.push({ index: ixs.length - 1, ixs: [{ p: mint.program, a: [mint.key], d: data(4) }, { p: SYSTEM, a: [payer.key, dst.key], d: data(100) }, { p: mint.program, a: [dst.key], d: data(2) }, { p: mint.program, a: [dst.key, mint.key], d: data(46) }] });
      logs.push(invoke(ATA), 'Program log: Create', invoke(mint.program, 2), 'Program log: Instruction: GetAccountDataSize', consumed(mint.program, 1569, 1394211), `Program return: ${mint.program} pQAAAAAAAAA=`, success(mint.program), invoke(SYSTEM, 2), success(SYSTEM), 'Program log: Initialize the associated token account', invoke(mint.program, 2), 'Program log: Instruction: InitializeImmutableOwner', 'Program log: Please upgrade to SPL Token 2022 for immutable owner support', consumed(mint.program, 1405, 1387624), success(mint.program), invoke(mint.program, 2), 'Program log: Instruction: InitializeAccount3', consumed(mint.program, 4188, 1383742), success(mint.program), consumed(ATA, 20345, 1399700), success(ATA));
    }
    ixs.push({ p: mint.program, a: [src.key, mint.key, dst.key, payer.key], d: ixData([12, ...u64big(amount), mint.decimals]) });
    logs.push(invoke(mint.program), 'Program log: Instruction: TransferChecked', consumed(mint.program, tcu, 1379355), failed ? `Program ${mint.program} failed: custom program error: 0x1` : success(mint.program));
    const tok = [[src, src.amount - amount], [dst, dst.amount + amount]];
    if (close && !failed) {
      ixs.push({ p: mint.program, a: [src.key, payer.key, payer.key], d: ixData([9]) });
      logs.push(invoke(mint.program), 'Program log: Instruction: CloseAccount', consumed(mint.program, 2915, 1373155), success(mint.program));
      tok[0][1] = null;
      sol.push([src.key, -TOKEN_RENT], [payer.key, TOKEN_RENT]);
    }
    return { keys: [...keys, ...readonly], readonlyStatic: readonly.length + (create ? 1 : 0), ixs, inner, logs, cu: 300 + tcu + (create ? 20345 : 0), sol, tok, err: failed ? failWith(ixs.length - 1, 1) : null };
  }

  function swap(payer, failed) {
    let pool = null;
    let side = 0;
    let have = null;
    for (let k = 0; k < 6 && !pool; k++) {
      const p = pools[Math.floor(rand() * pools.length)];
      const s = rand() < 0.5 ? 0 : 1;
      const a = ata(payer, p.vaults[s].mint);
      if (a.exists && a.amount > 0n) { pool = p; side = s; have = a; }
    }
    if (!pool || lam.get(payer.key) < FEE + TOKEN_RENT) return null;
    const vin = pool.vaults[side];
    const vout = pool.vaults[1 - side];
    const want = ata(payer, vout.mint);
    const part = (have.amount * BigInt(10 + Math.floor(rand() * 500))) / 1000n;
    const dx = part > 0n ? part : 1n;
    const dy = (vout.amount * dx) / (vin.amount + dx); // a constant-product pool
    const create = !want.exists;
    const mintOut = MINTS[vout.mint];
    const ixs = cbIxs();
    const keys = [payer.key, have.key, want.key];
    const loadedW = [pool.state, vin.key, vout.key];
    const loadedR = [RAYDIUM_AUTHORITY, TOKEN];
    const logs = [...CB_LOGS];
    const inner = [];
    const sol = [];
    const staticRo = [COMPUTE_BUDGET, RAYDIUM];
    if (create) {
      staticRo.push(ATA);
      loadedR.push(SYSTEM, mintOut.key);
      if (mintOut.program !== TOKEN) loadedR.push(mintOut.program);
      sol.push([payer.key, -TOKEN_RENT], [want.key, TOKEN_RENT]);
      ixs.push({ p: ATA, a: [payer.key, want.key, payer.key, mintOut.key, SYSTEM, mintOut.program], d: ixData([1]) });
      inner.push({ index: ixs.length - 1, ixs: [{ p: mintOut.program, a: [mintOut.key], d: data(4) }, { p: SYSTEM, a: [payer.key, want.key], d: data(100) }, { p: mintOut.program, a: [want.key], d: data(2) }, { p: mintOut.program, a: [want.key, mintOut.key], d: data(46) }] });
      logs.push(invoke(ATA), 'Program log: CreateIdempotent', invoke(mintOut.program, 2), 'Program log: Instruction: GetAccountDataSize', consumed(mintOut.program, 1569, 1394211), success(mintOut.program), invoke(SYSTEM, 2), success(SYSTEM), 'Program log: Initialize the associated token account', invoke(mintOut.program, 2), 'Program log: Instruction: InitializeAccount3', consumed(mintOut.program, 4188, 1383742), success(mintOut.program), consumed(ATA, 20345, 1399700), success(ATA));
    }
    const progIn = MINTS[vin.mint].program;
    const progOut = mintOut.program;
    for (const p of [progIn, progOut]) if (p !== TOKEN && !loadedR.includes(p)) loadedR.push(p);
    ixs.push({ p: RAYDIUM, a: [TOKEN, pool.state, RAYDIUM_AUTHORITY, vin.key, vout.key, have.key, want.key, payer.key], d: ixData([9, ...u64big(dx), ...u64big((dy * 99n) / 100n)]) });
    inner.push({ index: ixs.length - 1, ixs: [{ p: progIn, a: [have.key, vin.key, payer.key], d: ixData([3, ...u64big(dx)]) }, { p: progOut, a: [vout.key, want.key, RAYDIUM_AUTHORITY], d: ixData([3, ...u64big(dy)]) }] });
    logs.push(invoke(RAYDIUM), `Program log: ray_log: ${data(76)}`);
    if (failed) logs.push('Program log: Error: exceeds desired slippage limit', consumed(RAYDIUM, 22000, 1380000), `Program ${RAYDIUM} failed: custom program error: 0x1e`);
    else logs.push(invoke(progIn, 2), 'Program log: Instruction: Transfer', consumed(progIn, 4645, 1352000), success(progIn), invoke(progOut, 2), 'Program log: Instruction: Transfer', consumed(progOut, 4736, 1344000), success(progOut), consumed(RAYDIUM, 31000, 1380000), success(RAYDIUM));
    const w = [0, 1, 2].map(() => Math.floor(rand() * 256));
    const r = loadedR.map(() => Math.floor(rand() * 256));
    return {
      version: 0, keys: [...keys, ...staticRo], readonlyStatic: staticRo.length, loadedW, loadedR, lookups: [{ table: pool.lut, w, r }],
      ixs, inner, logs, cu: 300 + 31000 + (create ? 20345 : 0), sol,
      tok: [[have, have.amount - dx], [want, want.amount + dy], [vin, vin.amount + dx], [vout, vout.amount - dy]],
      err: failed ? failWith(ixs.length - 1, 30) : null,
    };
  }

  function payerFor(need) {
    for (let k = 0; k < 20; k++) { const u = pickUser(); if (lam.get(u.key) >= need) return u; }
    for (let i = 0; ; i++) { const u = user(i % 100); if (lam.get(u.key) >= need) return u; }
  }

  function nonVote(sig) {
    const failed = rand() < 0.03;
    const r = rand();
    const payer = payerFor(FEE + TOKEN_RENT + MIN_SOL);
    let t = null;
    if (r < 0.15) t = swap(payer, failed);
    else if (r < 0.30) t = tokenTransfer(payer, failed);
    if (t) counts.token_txs++;
    else if (r < 0.67) t = solTransfer(payer, failed, rand() < 0.135);
    if (!t) t = feeOnly(payer, failed);
    t.sig = sig;
    return t;
  }

  function vote(v, slot, sig) {
    // A TowerSync vote: [identity, vote account, Vote program]; only the identity's fee changes.
    return {
      sig, keys: [v.identity, v.vote, VOTE], readonlyStatic: 1,
      ixs: [{ p: VOTE, a: [v.vote, v.identity], d: data(150 + (slot % 7)) }],
      logs: [invoke(VOTE), success(VOTE)], cu: 2100,
    };
  }

  // ---- the slots ----------------------------------------------------------------------------
  const genesisHash = b58(sha256(`sol-bench:${o.seed}:genesis`));
  const checkpoints = new Set(o.checkpoints);
  const hashes = [];
  let prev = { slot: FIRST_SLOT - 1, hash: b58(sha256(`sol-bench:${o.seed}:slot:${FIRST_SLOT - 1}`)), height: 900 };
  const parentHash = prev.hash;
  for (let n = 0; n < o.slots; n++) {
    const slot = FIRST_SLOT + n;
    const skip = rand() < 0.05 && n > 0 && !checkpoints.has(slot);
    if (skip) {
      hashes.push(null);
      counts.tx_counts.push(0);
      counts.vote_counts.push(0);
      continue;
    }
    const hash = b58(sha256(`sol-bench:${o.seed}:slot:${slot}`));
    hashes.push(hash);
    const txs = [];
    let nv = o.txsPerSlot;
    let vv = o.votes;
    let i = 0;
    while (nv + vv > 0) {
      const sig = signature(counts.txs + i++);
      let t;
      if (rand() * (nv + vv) < vv) { t = vote(validators[o.votes - vv], slot, sig); vv--; counts.votes++; } else { t = nonVote(sig); nv--; }
      txs.push(render(t, prev.hash));
    }
    // The leader (4 slots each, as on mainnet) gets half of the block's fees.
    const leader = validators[Math.floor(n / 4) % validators.length].identity;
    const reward = Math.floor((txs.length * FEE) / 2);
    const post = lam.get(leader) + reward;
    lam.set(leader, post);
    addTo(dSol, leader, reward);
    const rewards = `[{"commission":null,"lamports":${reward},"postBalance":${post},"pubkey":"${leader}","rewardType":"Fee"}]`;
    const height = prev.height + 1;
    const head = `"blockHeight":${height},"blockTime":${1700000000 + Math.floor(n * 0.4)},"blockhash":"${hash}","parentSlot":${prev.slot},"previousBlockhash":"${prev.hash}"`;
    const body = `{${head},"rewards":${rewards},"transactions":[${txs.join(',')}]}`;
    fs.writeFileSync(path.join(blocksDir, `${slot}.json`), body);
    fs.writeFileSync(path.join(blocksDir, `${slot}.header.json`), `{${head}}`);
    counts.bytes += body.length;
    counts.txs += txs.length;
    counts.tx_counts.push(txs.length - o.votes);
    counts.vote_counts.push(o.votes);
    prev = { slot, hash, height };

    if (checkpoints.has(slot)) {
      const out = {};
      for (const [k, d] of dSol) if (d !== 0) out[k] = String(d);
      for (const [k, d] of dSpl) if (d !== 0n) out[k] = String(d);
      fs.writeFileSync(path.join(o.out, `expected-${slot}.json`), JSON.stringify(out));
    }
    if (n % 20 === 19) process.stderr.write(`sol-gen: ${n + 1} of ${o.slots} slots\n`);
  }
  return { genesisHash, parentHash, hashes, counts };
}

function main() {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { process.stderr.write(`sol-gen: ${e.message}\n`); process.exit(2); }
  const params = { slots: o.slots, txsPerSlot: o.txsPerSlot, votes: o.votes, accounts: o.accounts, seed: o.seed, checkpoints: o.checkpoints };
  if (reuseGenerated('sol-gen', o.out, params)) return;
  const metaFile = path.join(o.out, 'meta.json');
  const t0 = Date.now();
  const { genesisHash, parentHash, hashes, counts } = generate(o);
  fs.writeFileSync(metaFile, JSON.stringify({ params, first_slot: FIRST_SLOT, genesis_hash: genesisHash, parent_hash: parentHash, hashes, ...counts }));
  const blocks = hashes.filter((h) => h !== null).length;
  process.stderr.write(`sol-gen: ${o.slots} slots (${blocks} blocks, ${o.slots - blocks} skipped), ${counts.txs} transactions (${counts.txs - counts.votes} non-vote: ${counts.token_txs} with token changes, ${counts.failed} failed, ${counts.v0} v0; ${counts.votes} votes), ${(counts.bytes / 1e6).toFixed(0)} MB of getBlock JSON in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

if (require.main === module) main();
module.exports = { b58 };
