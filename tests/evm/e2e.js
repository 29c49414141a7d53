#!/usr/bin/env node
'use strict';
// End-to-end tests of the real chainidx binary against a local anvil chain and PostgreSQL.
//
//   CHAINIDX_BIN            the chainidx binary
//   CHAINIDX_DATABASE_URL   a fresh database (scenarios a and b)
//   CHAINIDX_DATABASE_URL_2, CHAINIDX_DATABASE_URL_3   two more fresh databases (scenario c)
//
// Usage: node e2e.js [scenario-name …]   (default: all; scan_follow_unwinds_reorg needs the chain
// and database of backfill_then_scan_matches_balanceOf and runs it first). tests/evm/run-e2e.sh
// provides the databases. Stops at the first failed assertion and exits 1.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startAnvil, sleep, DEFAULT_T0 } = require('./lib/anvil');
const { TestChain } = require('./lib/testchain');
const { hexQty } = require('./lib/abi');
const { writeConfig } = require('./lib/config');
const cx = require('./lib/chainidx');
const { startWebhookSink } = require('./lib/webhook-sink');

const { AssertionError, assert, assertEqual, say } = require('./lib/assert');

let workDir = null; // made on first use, removed at the end unless a scenario failed
const work = () => (workDir = workDir || fs.mkdtempSync(path.join(os.tmpdir(), 'chainidx-e2e-')));
const anvils = [];

/// Starts anvil, builds a TestChain on it and writes a chainidx config (chain name "anvil").
async function createTestChain({ name, t0, seed, blocks, minOps, maxOps }) {
  const anvil = await startAnvil({ t0 });
  anvils.push(anvil);
  const tc = await TestChain.create(anvil, { seed, blocks, minOps, maxOps });
  tc.config = writeConfig(fs.mkdtempSync(path.join(work(), `${name}-`)), { name: 'anvil', rpcUrl: anvil.url, pollMs: 200 });
  return tc;
}

// --------------------------------------------------------------------------------------------
// Helpers over chainidx output.

async function status(tc, db) {
  const s = await cx.json(['status', '--chain', 'anvil', '--output', 'json'], { config: tc.config, db });
  assert(s && typeof s === 'object' && !Array.isArray(s), `status --output json is not one object: ${JSON.stringify(s).slice(0, 300)}`);
  for (const k of ['watermark', 'watermark_hash', 'head', 'event_count', 'reorg_count', 'last_reorg']) {
    assert(k in s, `status --output json lacks "${k}": ${JSON.stringify(s)}`);
  }
  return s;
}

async function balances(tc, db) {
  const rows = await cx.json(['balances', '--chain', 'anvil', '--output', 'json'], { config: tc.config, db });
  assert(Array.isArray(rows), `balances --output json is not an array: ${JSON.stringify(rows).slice(0, 300)}`);
  return rows;
}

/// Asserts that the indexed balances equal balanceOf at `block` for every (token, account) pair that
/// appeared in an ERC-20 Transfer (a missing row is 0), and that no row is unexplained.
async function assertBalancesMatchChain(tc, rows, block, label) {
  const indexed = new Map();
  for (const r of rows) {
    assert(r && typeof r === 'object', `${label}: balance row is not an object: ${JSON.stringify(r)}`);
    assertEqual(r.chain, 'anvil', `${label}: row chain`);
    assert(/^0x[0-9a-f]{40}$/.test(r.token), `${label}: token is not a lowercase 0x address: ${JSON.stringify(r)}`);
    assert(/^0x[0-9a-f]{40}$/.test(r.account), `${label}: account is not a lowercase 0x address: ${JSON.stringify(r)}`);
    assert(typeof r.amount === 'string' && /^(0|[1-9][0-9]*)$/.test(r.amount), `${label}: amount is not a non-negative decimal string: ${JSON.stringify(r)}`);
    assertEqual(Number(r.block), block, `${label}: row block (the watermark) of ${r.token}/${r.account}`);
    assert(r.token !== tc.tokens.nft, `${label}: the ERC-721 contract ${tc.tokens.nft} was indexed as an ERC-20 token: ${JSON.stringify(r)}`);
    const key = `${r.token} ${r.account}`;
    assert(!indexed.has(key), `${label}: two rows for ${key}`);
    assert(tc.pairs.has(key), `${label}: row for a (token, account) pair that no ERC-20 Transfer names: ${JSON.stringify(r)}`);
    indexed.set(key, BigInt(r.amount));
  }
  const pairs = [...tc.pairs.values()];
  const onChain = await tc.chain.balancesOf(pairs, block);
  const bad = [];
  pairs.forEach(([token, account], i) => {
    const got = indexed.get(`${token} ${account}`) || 0n;
    if (got !== onChain[i]) bad.push(`${token} ${account}: indexed ${got}, balanceOf ${onChain[i]}`);
  });
  assert(bad.length === 0, `${label}: ${bad.length} of ${pairs.length} balances differ from balanceOf at block ${block}:\n    ${bad.slice(0, 10).join('\n    ')}`);
  say(`${label}: ${pairs.length} (token, account) pairs equal balanceOf at block ${block} (${rows.length} rows)`);
}

async function waitFor(what, timeoutMs, fn, onTimeout = () => '') {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last.done) return last;
    if (Date.now() > deadline) throw new AssertionError(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last: ${last.seen}${onTimeout()}`);
    await sleep(100);
  }
}

/// Drops and recreates the database of `url` (the role has CREATEDB), via psql.
function recreateDatabase(url) {
  const u = new URL(url);
  const db = decodeURIComponent(u.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  for (const sql of [`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`, `CREATE DATABASE "${db}"`]) {
    const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', admin.toString(), '-c', sql], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error(`psql ${sql}: ${r.error ? r.error.message : r.stderr}`);
  }
}

function needEnv(name) {
  const v = process.env[name];
  if (!v) throw new AssertionError(`${name} is not set (tests/evm/run-e2e.sh creates the databases)`);
  return v;
}

// --------------------------------------------------------------------------------------------
// Scenarios. They share `ctx`: b continues on a's chain and database.

const ctx = {};

async function backfill_then_scan_matches_balanceOf() {
  const db = needEnv('CHAINIDX_DATABASE_URL');
  const t = Date.now();
  const tc = await createTestChain({ name: 'a', t0: DEFAULT_T0, seed: 0xc4a1, blocks: 42, minOps: 8, maxOps: 16 });
  ctx.tc = tc;
  ctx.db = db;
  const head = await tc.head();
  say(`anvil ${tc.anvil.url}: tokens T18 ${tc.tokens.t18}, T6 ${tc.tokens.t6}, FEE ${tc.tokens.fee}, MBT ${tc.tokens.mb}, NFT ${tc.tokens.nft}`);
  say(`chain: ${head} blocks, ${tc.counts.txs} txs, ${tc.counts.erc20Logs} ERC-20 Transfer logs (${tc.counts.selfTransfers} self, ${tc.counts.zeroTransfers} zero-amount, ${tc.counts.mints} mints, ${tc.counts.burns} burns, ${tc.counts.feeLegs} fee legs), ${tc.counts.nftLogs} ERC-721 Transfer logs, ${tc.pairs.size} (token, account) pairs, built in ${Date.now() - t} ms`);
  assert(head >= 40 && tc.counts.erc20Logs >= 300 && tc.counts.selfTransfers > 0 && tc.counts.zeroTransfers > 0 && tc.counts.mints > 0 && tc.counts.burns > 0 && tc.counts.feeLegs > 0 && tc.counts.nftLogs > 0,
    `the generated chain lacks some kind of transfer: ${JSON.stringify(tc.counts)}`);

  await cx.ok(['migrate', 'up'], { config: tc.config });
  const mid = Math.floor(head / 2);
  let r = await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(mid)], { config: tc.config });
  let s = await status(tc);
  say(`backfill 0..${mid}: ${r.ms} ms; status watermark ${s.watermark}, events ${s.event_count}`);
  r = await cx.ok(['scan', '--once', '--chain', 'anvil'], { config: tc.config });
  s = await status(tc);
  say(`scan --once: ${r.ms} ms; status watermark ${s.watermark}, head ${s.head}, events ${s.event_count}, blocks ${s.block_count}`);
  assertEqual(s.watermark, head, 'status watermark after scan --once (the chain head)');
  const headBlock = await tc.chain.block(head);
  assertEqual(s.watermark_hash, headBlock.hash, 'status watermark_hash');
  await assertBalancesMatchChain(tc, await balances(tc), s.watermark, 'backfill + scan --once');
}

async function scan_follow_unwinds_reorg() {
  if (!ctx.tc) await backfill_then_scan_matches_balanceOf();
  const { tc } = ctx;
  const { rpc } = tc.anvil;
  const metricsPort = 20000 + Math.floor(Math.random() * 20000);
  const hook = await startWebhookSink();
  const follower = cx.background(['scan', '--follow', '--chain', 'anvil', '--metrics-addr', `127.0.0.1:${metricsPort}`, '--alert-webhook', hook.url, '--alert-reorg-depth', '3'], { config: tc.config });
  const why = () => `\n  follower ${follower.running() ? 'running' : 'exited'}; its stderr: ${follower.stderr()}`;
  try {
    for (let i = 0; i < 4; i++) await tc.mine(tc.traffic.randomOps(4 + tc.traffic.rng.int(5)));
    let head = await tc.head();
    await waitFor(`the follower to reach head ${head}`, 30000, async () => {
      assert(follower.running(), `scan --follow exited early${why()}`);
      const s = await status(tc);
      return { done: s.watermark === head, seen: `watermark ${s.watermark}` };
    }, why);
    say(`scan --follow reached head ${head}`);

    // Replace the last 3 blocks with different transfers.
    const depth = 3;
    const fork = head - depth;
    const oldHashes = [];
    const oldTxs = new Set();
    for (let n = fork + 1; n <= head; n++) {
      const b = await tc.chain.block(n);
      oldHashes.push(b.hash);
      b.transactions.forEach((h) => oldTxs.add(h));
    }
    tc.traffic.restore(tc.snapshots.get(fork));
    tc.chain.resetNonces();
    const nonceAt = new Map();
    const plan = [];
    for (let offset = 0; offset < depth; offset++) {
      const txs = tc.traffic.randomOps(3 + tc.traffic.rng.int(3));
      plan.push(txs);
    }
    const senders = [...new Set(plan.flat().map((t) => t.from))];
    const counts = await rpc.batch(senders.map((a) => ['eth_getTransactionCount', [a, hexQty(fork)]]));
    senders.forEach((a, i) => nonceAt.set(a, parseInt(counts[i], 16)));
    const replacements = [];
    plan.forEach((txs, offset) => {
      txs.forEach((t, i) => {
        const nonce = nonceAt.get(t.from);
        nonceAt.set(t.from, nonce + 1);
        const tx = { from: t.from, to: t.to, data: t.data, gas: hexQty(t.gas), gasPrice: hexQty(200n * 10n ** 9n + BigInt(txs.length - i)), nonce: hexQty(nonce) };
        replacements.push([tx, offset]);
      });
    });
    await rpc.call('anvil_reorg', [depth, replacements]);
    const afterHead = await tc.head();
    assertEqual(afterHead, head, 'head number right after anvil_reorg');
    // Check that every replacement landed where asked, in order, and succeeded (a wrong nonce
    // would be dropped silently).
    for (let offset = 0; offset < depth; offset++) {
      const n = fork + 1 + offset;
      const b = await rpc.call('eth_getBlockByNumber', [hexQty(n), true]);
      assert(b.hash !== oldHashes[offset], `anvil_reorg left block ${n} unchanged (${b.hash})`);
      const want = plan[offset];
      assertEqual(b.transactions.length, want.length, `replacement txs in block ${n} (a dropped one had a wrong nonce?)`);
      b.transactions.forEach((tx, i) => {
        assert(tx.from.toLowerCase() === want[i].from && tx.input === want[i].data, `replacement block ${n} tx ${i} is not the one sent at that position`);
        assert(!oldTxs.has(tx.hash), `replacement tx ${tx.hash} in block ${n} is one of the replaced blocks' own`);
      });
      const receipts = await rpc.batch(b.transactions.map((tx) => ['eth_getTransactionReceipt', [tx.hash]]));
      receipts.forEach((rc, i) => assertEqual(rc.status, '0x1', `status of replacement tx ${i} in block ${n}`));
      tc.learn(receipts);
      tc.snapshots.set(n, null);
    }
    tc.snapshots.set(head, tc.traffic.snapshot());
    say(`anvil_reorg: blocks ${fork + 1}..${head} replaced by ${replacements.length} different transfers, all landed`);

    head = await tc.mine(tc.traffic.randomOps(5));
    const headHash = (await tc.chain.block(head)).hash;
    const s = (await waitFor(`the follower to unwind the reorg and reach head ${head} (${headHash})`, 30000, async () => {
      assert(follower.running(), `scan --follow exited${why()}`);
      const st = await status(tc);
      return { done: st.watermark === head && st.watermark_hash === headHash, seen: `watermark ${st.watermark} ${st.watermark_hash}`, st };
    }, why)).st;
    say(`scan --follow at head ${head}; reorg_count ${s.reorg_count}, last_reorg ${JSON.stringify(s.last_reorg)}`);
    assert(Number(s.reorg_count) >= 1, `status reorg_count is ${s.reorg_count}, expected >= 1`);
    // The follower serves its metrics while it runs: the reorg and the watermark are there.
    const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const metric = (name) => { const m = scraped.match(new RegExp(`^${name}\\{chain="anvil"\\} (\\S+)$`, 'm')); return m ? Number(m[1]) : null; };
    assert(metric('chainidx_reorgs_total') >= 1, `--metrics-addr: chainidx_reorgs_total is ${metric('chainidx_reorgs_total')}, expected >= 1`);
    assertEqual(metric('chainidx_watermark_block'), head, '--metrics-addr: chainidx_watermark_block');
    const reorgAlerts = hook.received.filter((x) => x.kind === 'reorg');
    assertEqual(reorgAlerts.length, 1, `--alert-webhook: reorg alerts (got ${JSON.stringify(hook.received)})`);
    assert(reorgAlerts[0].chain === 'anvil' && reorgAlerts[0].details.depth >= depth, `--alert-webhook: reorg alert ${JSON.stringify(reorgAlerts[0])}`);
    say(`--alert-webhook: got "${reorgAlerts[0].summary}"`);
    hook.close();
    say(`--metrics-addr: scraped ${scraped.split('\n').length} lines; reorgs_total ${metric('chainidx_reorgs_total')}, watermark ${metric('chainidx_watermark_block')}`);
    assert(s.last_reorg && typeof s.last_reorg === 'object', `status last_reorg is ${JSON.stringify(s.last_reorg)}, expected the reorg`);
    assert(Number(s.last_reorg.depth) >= depth, `status last_reorg.depth is ${s.last_reorg.depth}, expected >= ${depth}`);
    await assertBalancesMatchChain(tc, await balances(tc), head, 'after the reorg');

    // One scan per chain: a second one exits naming the holder, or waits with --wait.
    const second = await cx.run(['scan', '--chain', 'anvil', '--once'], { config: tc.config });
    assertEqual(second.code, 1, `a second scan while the follower runs (stderr: ${second.stderr.trim()})`);
    assert(/already being scanned by "chainidx scan anvil"/.test(second.stderr), `the refusal names the holder: ${second.stderr.trim()}`);
    ctx.waiter = cx.background(['scan', '--chain', 'anvil', '--once', '--wait'], { config: tc.config });
    await sleep(1500);
    assert(ctx.waiter.running(), `scan --once --wait did not wait for the follower${ctx.waiter.stderr()}`);
    say(`second scan refused: ${second.stderr.trim().split('\n').pop().slice(0, 120)}; scan --wait is waiting`);
  } finally {
    if (follower.running()) follower.proc.kill('SIGTERM');
  }
  const t = Date.now();
  const exit = await Promise.race([follower.exited, sleep(10000).then(() => null)]);
  if (!exit) {
    follower.proc.kill('SIGKILL');
    throw new AssertionError(`scan --follow did not exit within 10 s of SIGTERM${why()}`);
  }
  assert(exit.code === 0 || exit.code === 143, `scan --follow after SIGTERM: ${exit.code === null ? 'killed by ' + exit.signal + ' (no graceful exit)' : 'exit ' + exit.code}, expected 0 or 143${why()}`);
  say(`scan --follow exited ${exit.code} ${Date.now() - t} ms after SIGTERM`);
  if (ctx.waiter) {
    const w = await Promise.race([ctx.waiter.exited, sleep(20000).then(() => null)]);
    assert(w && w.code === 0, `scan --once --wait after the follower ended: ${w ? 'exit ' + w.code : 'still running after 20 s'}${ctx.waiter.stderr()}`);
    say('scan --once --wait ran once the follower had stopped');
  }
}

async function sigkill_midway_then_rerun_equals_clean_run() {
  const db2 = needEnv('CHAINIDX_DATABASE_URL_2');
  const db3 = needEnv('CHAINIDX_DATABASE_URL_3');
  const t = Date.now();
  const tc = await createTestChain({ name: 'c', t0: DEFAULT_T0 + 1000000, seed: 0xc4a3, blocks: 300, minOps: 1, maxOps: 4 });
  const H = await tc.head();
  say(`fresh chain ${tc.anvil.url}: ${H} blocks, ${tc.counts.erc20Logs} ERC-20 Transfer logs, built in ${Date.now() - t} ms`);
  const backfill = ['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H), '--batch-blocks', '2'];

  await cx.ok(['migrate', 'up'], { config: tc.config, db: db2 });
  const clean = await cx.ok(backfill, { config: tc.config, db: db2 });
  const s2 = await status(tc, db2);
  say(`clean run: ${clean.ms} ms; watermark ${s2.watermark}, events ${s2.event_count}`);

  let landed = null;
  for (let attempt = 1; attempt <= 3 && !landed; attempt++) {
    if (attempt > 1) recreateDatabase(db3);
    await cx.ok(['migrate', 'up'], { config: tc.config, db: db3 });
    const bf = cx.background(backfill, { config: tc.config, db: db3 });
    const fallbackMs = clean.ms * (0.2 + 0.5 * Math.random());
    const started = Date.now();
    let how = null;
    while (bf.running()) {
      const st = await cx.run(['status', '--chain', 'anvil', '--output', 'json'], { config: tc.config, db: db3 });
      let wm = null;
      try { wm = JSON.parse(st.stdout).watermark; } catch (_) { /* not ready */ }
      if (typeof wm === 'number' && wm > 0 && wm < H) { how = `status showed watermark ${wm}`; break; }
      if (Date.now() - started > fallbackMs) { how = `after a random ${Math.round(fallbackMs)} ms`; break; }
      await sleep(10);
    }
    if (!bf.running()) {
      await bf.exited;
      say(`attempt ${attempt}: the backfill finished before it could be killed`);
      continue;
    }
    bf.proc.kill('SIGKILL');
    const exit = await bf.exited;
    assertEqual(exit.signal, 'SIGKILL', `attempt ${attempt}: the backfill's end`);
    const st = await status(tc, db3);
    const mid = (st.watermark !== null && st.watermark > 0 && st.watermark < H) || (st.event_count > 0 && st.event_count < s2.event_count);
    say(`attempt ${attempt}: SIGKILL ${how}; then watermark ${st.watermark} of ${H}, events ${st.event_count} of ${s2.event_count}: ${mid ? 'midway' : 'not midway'}`);
    if (mid) landed = { attempt, how, watermark: st.watermark, events: st.event_count };
  }
  assert(landed, 'could not SIGKILL the backfill midway in 3 attempts (it always finished first or had committed nothing)');
  const rerun = await cx.ok(backfill, { config: tc.config, db: db3 });
  const s3 = await status(tc, db3);
  say(`rerun after the kill (attempt ${landed.attempt}): ${rerun.ms} ms; watermark ${s3.watermark}, events ${s3.event_count}`);

  const sortRows = (rows) => rows.map((r) => JSON.stringify([r.chain, r.token, r.account, r.amount, r.block])).sort();
  const rows2 = await balances(tc, db2);
  const rows3 = await balances(tc, db3);
  const a = sortRows(rows2);
  const b = sortRows(rows3);
  const only2 = a.filter((x) => !b.includes(x));
  const only3 = b.filter((x) => !a.includes(x));
  assert(only2.length === 0 && only3.length === 0, `balances differ between the clean run and the killed+rerun one:\n    only clean: ${only2.slice(0, 5).join('\n      ')}\n    only killed+rerun: ${only3.slice(0, 5).join('\n      ')}`);
  say(`balances identical: ${a.length} rows`);
  for (const k of ['event_count', 'watermark', 'watermark_hash', 'block_count']) assertEqual(s3[k], s2[k], `status ${k} of the killed+rerun database vs the clean one`);
  await assertBalancesMatchChain(tc, rows3, s3.watermark, 'killed + rerun');
}

const SCENARIOS = [backfill_then_scan_matches_balanceOf, scan_follow_unwinds_reorg, sigkill_midway_then_rerun_equals_clean_run];

async function main() {
  const wanted = process.argv.slice(2);
  for (const w of wanted) {
    if (!SCENARIOS.some((s) => s.name === w)) {
      console.error(`e2e: unknown scenario ${w}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
      process.exit(2);
    }
  }
  const chosen = SCENARIOS.filter((s) => !wanted.length || wanted.includes(s.name));
  let passed = 0;
  let failed = 0;
  try {
    cx.binary();
    require('./lib/compile').compileAll();
  } catch (e) {
    console.error(`e2e: cannot start: ${e.message}`);
    console.log(`e2e: 0 passed, ${chosen.length} failed`);
    process.exit(1);
  }
  for (const scenario of chosen) {
    const t = Date.now();
    console.log(`e2e: ${scenario.name} …`);
    try {
      await scenario();
      passed++;
      console.log(`e2e: PASS ${scenario.name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`e2e: FAIL ${scenario.name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
      console.error(`e2e: ${scenario.name}: ${e instanceof AssertionError ? 'assertion failed: ' : ''}${e instanceof AssertionError ? e.message : e.stack || e.message}`);
      break;
    }
  }
  await Promise.all(anvils.map((a) => a.stop()));
  if (workDir && failed) console.error(`e2e: work files (chainidx configs) kept in ${workDir}`);
  else if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`e2e: internal error: ${e.stack || e.message}`);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
});
