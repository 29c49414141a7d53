#!/usr/bin/env node
'use strict';
// End-to-end tests of the operator toolkit (pipes, reconcile, replay, rollback) of the real
// chainidx binary on a local anvil chain and a real PostgreSQL.
//
//   CHAINIDX_BIN            the chainidx binary
//   CHAINIDX_DATABASE_URL   any database of the cluster; the role must have CREATEDB: each
//                           scenario makes its own fresh databases next to it
//
// Usage: node ops-e2e.js [scenario-name …]. Stops at the first failed assertion and exits 1.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startAnvil, DEFAULT_T0 } = require('./lib/anvil');
const { TestChain } = require('./lib/testchain');
const { writeConfig } = require('./lib/config');
const cx = require('./lib/chainidx');
const { startWebhookSink } = require('./lib/webhook-sink');
const { startFaultyProxy } = require('./lib/faulty-proxy');

const { AssertionError, assert, assertEqual, say } = require('./lib/assert');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chainidx-ops-'));
let anvil = null;
let tc = null;
let dbCounter = 0;

/// psql against `url`; returns stdout (unaligned, tuples only).
function sql(url, query) {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', query], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`psql ${query}: ${r.error ? r.error.message : r.stderr}`);
  return r.stdout.trim();
}

/// A fresh database next to CHAINIDX_DATABASE_URL, with the schema migrated.
async function freshDatabase() {
  const base = process.env.CHAINIDX_DATABASE_URL;
  if (!base) throw new AssertionError('CHAINIDX_DATABASE_URL is not set');
  const name = `ops_${process.pid}_${++dbCounter}`;
  sql(base, `CREATE DATABASE ${name}`);
  const u = new URL(base);
  u.pathname = '/' + name;
  const url = u.toString();
  await cx.ok(['migrate', 'up'], { config: tc.config, db: url });
  return url;
}

/// Runs a shell pipeline with CHAINIDX (the binary plus --config) in its environment.
function sh(script, db) {
  const env = { ...process.env, CHAINIDX: `${cx.binary()} --config ${tc.config}`, CHAINIDX_DATABASE_URL: db || '' };
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', script], { encoding: 'utf8', env, cwd: work, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/// Everything an event row says except its finality stage, in a stable order, hashed.
function eventsDigest(db) {
  return sql(db, "SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws(',', chain, encode(tx_hash, 'hex'), event_index, leg, block_number, encode(block_hash, 'hex'), encode(token, 'hex'), encode(account, 'hex'), delta), ';' ORDER BY tx_hash, event_index, leg)), '') FROM balance_events");
}
function balancesDigest(db) {
  return sql(db, "SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws(',', chain, encode(token, 'hex'), encode(account, 'hex'), amount), ';' ORDER BY token, account)), '') FROM balances");
}

async function status(db) {
  return cx.json(['status', '--chain', 'anvil', '--output', 'json'], { config: tc.config, db });
}

/// Indexed balances equal balanceOf at the watermark for every pair an ERC-20 Transfer named.
async function assertMatchesChain(db, label) {
  const s = await status(db);
  const rows = await cx.json(['balances', '--chain', 'anvil', '--output', 'json'], { config: tc.config, db });
  const indexed = new Map(rows.map((r) => [`${r.token} ${r.account}`, BigInt(r.amount)]));
  const pairs = [...tc.pairs.values()];
  const onChain = await tc.chain.balancesOf(pairs, s.watermark);
  const bad = pairs.filter(([t, a], i) => (indexed.get(`${t} ${a}`) || 0n) !== onChain[i]);
  assert(bad.length === 0, `${label}: ${bad.length} balances differ from balanceOf at ${s.watermark}: ${bad.slice(0, 3).join('; ')}`);
  say(`${label}: ${pairs.length} pairs equal balanceOf at block ${s.watermark}`);
}

// ---------------------------------------------------------------------------------------------

async function pipes_give_the_same_database_as_backfill() {
  const H = await tc.head();
  const direct = await freshDatabase();
  const piped = await freshDatabase();
  const piped2 = await freshDatabase();
  await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: tc.config, db: direct });

  let r = sh(`$CHAINIDX backfill --chain anvil --from 0 --to ${H} --emit raw > raw.ndjson`);
  assertEqual(r.code, 0, `backfill --emit raw (no database): ${r.stderr}`);
  r = sh('$CHAINIDX normalize --chain anvil < raw.ndjson > events.ndjson && $CHAINIDX normalize --chain anvil -i raw.ndjson > events2.ndjson && cmp events.ndjson events2.ndjson');
  assertEqual(r.code, 0, `normalize twice gives the same bytes: ${r.stderr}`);
  const lines = fs.readFileSync(path.join(work, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert(lines.every((l) => l.schema === 'chainidx.block/1' || (l.schema === 'chainidx.event/1' && /^-?[0-9]+$/.test(l.delta))), 'events NDJSON has a schema field and decimal-string deltas');
  say(`raw: ${H + 1} blocks; events.ndjson: ${lines.length} lines`);

  r = sh('$CHAINIDX ingest --chain anvil < events.ndjson', piped);
  assertEqual(r.code, 0, `ingest: ${r.stderr}`);
  r = sh(`$CHAINIDX backfill --chain anvil --from 0 --to ${H} --emit events | $CHAINIDX ingest --chain anvil`, piped2);
  assertEqual(r.code, 0, `backfill --emit events | ingest: ${r.stderr}`);
  for (const [db, how] of [[piped, 'emit raw | normalize | ingest'], [piped2, 'emit events | ingest']]) {
    assertEqual(eventsDigest(db), eventsDigest(direct), `events of ${how} vs backfill`);
    assertEqual(balancesDigest(db), balancesDigest(direct), `balances of ${how} vs backfill`);
    assertEqual((await status(db)).watermark, H, `watermark after ${how}`);
  }
  const before = eventsDigest(piped) + balancesDigest(piped);
  r = sh('$CHAINIDX ingest --chain anvil < events.ndjson', piped);
  assertEqual(r.code, 0, `ingest again: ${r.stderr}`);
  assertEqual(eventsDigest(piped) + balancesDigest(piped), before, 'ingesting the same file twice changes nothing');
  say(`pipes: same events (${eventsDigest(direct)}) and balances as backfill; second ingest a no-op`);
}

async function malformed_ndjson_exits_2_and_changes_nothing() {
  const db = await freshDatabase();
  const lines = fs.readFileSync(path.join(work, 'events.ndjson'), 'utf8').trim().split('\n');
  const n = Math.floor(lines.length / 2);
  const at = lines.findIndex((l, i) => i >= n && l.includes('"chainidx.event/1"'));
  const variants = {
    truncated: (l) => l.slice(0, Math.floor(l.length / 2)),
    bad_hex: (l) => l.replace(/"tx":"0x[0-9a-f]{4}/, '"tx":"0xzzzz'),
    amount_over_2_256: (l) => l.replace(/"delta":"-?[0-9]+"/, '"delta":"115792089237316195423570985008687907853269984665640564039457584007913129639936"'),
    wrong_chain: (l) => l.replace('"chain":"anvil"', '"chain":"base"'),
  };
  const empty = eventsDigest(db) + balancesDigest(db);
  for (const [name, corrupt] of Object.entries(variants)) {
    const bad = [...lines];
    bad[at] = corrupt(bad[at]);
    assert(bad[at] !== lines[at], `${name}: the corruption changed line ${at + 1}`);
    const text = (name === 'truncated' ? bad.slice(0, at + 1) : bad).join('\n') + (name === 'truncated' ? '' : '\n');
    fs.writeFileSync(path.join(work, `bad-${name}.ndjson`), text);
    const r = sh(`$CHAINIDX ingest --chain anvil < bad-${name}.ndjson`, db);
    assertEqual(r.code, 2, `${name}: ingest exit code (stderr: ${r.stderr.trim()})`);
    assert(r.stderr.includes(`stdin:${at + 1}:`), `${name}: the error names stdin:${at + 1}: ${r.stderr.trim()}`);
    assertEqual(eventsDigest(db) + balancesDigest(db), empty, `${name}: the database is unchanged`);
    say(`${name}: exit 2, ${r.stderr.trim().split('\n').pop().slice(0, 140)}`);
  }
}

async function reconcile_finds_drift_and_replay_fixes_it() {
  const db = await freshDatabase();
  const H = await tc.head();
  await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: tc.config, db });
  let r = await cx.run(['reconcile', '--chain', 'anvil', '--output', 'json'], { config: tc.config, db });
  assertEqual(r.code, 0, `reconcile of a clean index: ${r.stderr}`);

  // Two different pairs with events in block k: corrupt one's balance, delete the other's event.
  const k = Math.floor(H / 2);
  const rows = sql(db, `SELECT DISTINCT encode(token, 'hex') || ' ' || encode(account, 'hex') FROM balance_events WHERE block_number = ${k} AND delta <> 0`).split('\n').filter(Boolean);
  assert(rows.length >= 2, `block ${k} has events of two pairs with non-zero deltas`);
  const [p1, p2] = rows.map((x) => x.split(' '));
  sql(db, `UPDATE balances SET amount = amount + 7 WHERE token = '\\x${p1[0]}' AND account = '\\x${p1[1]}'`);
  sql(db, `DELETE FROM balance_events WHERE ctid = (SELECT ctid FROM balance_events WHERE block_number = ${k} AND token = '\\x${p2[0]}' AND account = '\\x${p2[1]}' AND delta <> 0 LIMIT 1)`);

  const hook = await startWebhookSink();
  r = await cx.run(['reconcile', '--chain', 'anvil', '--output', 'json', '--alert-webhook', hook.url], { config: tc.config, db });
  hook.close();
  assertEqual(r.code, 3, `reconcile exit code with drift (stderr: ${r.stderr})`);
  const drift = hook.received.filter((x) => x.kind === 'drift');
  assert(drift.length === 1 && drift[0].chain === 'anvil' && drift[0].details.pairs_drifted >= 1, `--alert-webhook: one drift alert expected, got ${JSON.stringify(hook.received)}`);
  const rep = JSON.parse(r.stdout);
  const flagged = new Set([...rep.drifts, ...rep.sum_mismatch_pairs].map((d) => `${d.token.slice(2)} ${d.account.slice(2)}`));
  assertEqual([...flagged].sort().join(','), [p1.join(' '), p2.join(' ')].sort().join(','), 'reconcile flags exactly the corrupted balance and the pair of the deleted event');
  const d1 = rep.drifts.find((d) => d.account.slice(2) === p1[1] && d.token.slice(2) === p1[0]);
  assert(d1 && d1.difference === '-7', `the corrupted pair drifts by -7 against balanceOf: ${JSON.stringify(rep.drifts)}`);
  say(`reconcile: exit 3; drifted ${rep.pairs_drifted}, sum mismatches ${rep.sum_mismatches}: exactly the two pairs`);
  assert(Number(sql(db, 'SELECT count(*) FROM reconcile_runs')) === 2, 'each reconcile run is stored');
  assertEqual(sql(db, `SELECT count(*) || ' ' || min(indexed - on_chain) FROM reconcile_diffs WHERE run_id = ${rep.run_id}`), `${rep.pairs_drifted} 7`, 'the drift of the run is stored with indexed and on-chain amounts');

  r = await cx.run(['replay', '--chain', 'anvil', '--from', String(k - 1), '--to', String(k + 1), '--dry-run', '--output', 'json'], { config: tc.config, db });
  assertEqual(r.code, 0, `replay --dry-run: ${r.stderr}`);
  const dry = JSON.parse(r.stdout);
  assert(!dry.applied && dry.events.length === 1 && dry.events[0].change === 'added', `dry run shows one event to add: ${JSON.stringify(dry.events)}`);
  r = await cx.run(['reconcile', '--chain', 'anvil'], { config: tc.config, db });
  assertEqual(r.code, 3, 'a dry run changes nothing');
  await cx.ok(['replay', '--chain', 'anvil', '--from', String(k - 1), '--to', String(k + 1)], { config: tc.config, db });
  r = await cx.run(['reconcile', '--chain', 'anvil', '--output', 'json'], { config: tc.config, db });
  assertEqual(r.code, 0, `reconcile after replay (stdout: ${r.stdout.slice(0, 500)})`);
  r = await cx.run(['replay', '--chain', 'anvil', '--from', String(k - 1), '--to', String(k + 1), '--output', 'json'], { config: tc.config, db });
  const again = JSON.parse(r.stdout);
  assert(again.events.length === 0 && again.balances.length === 0, 'rerunning replay is a no-op');
  r = await cx.run(['replay', '--chain', 'anvil', '--from', '0', '--to', String(H + 10)], { config: tc.config, db });
  assertEqual(r.code, 2, 'replay above the watermark is refused');
  assert(r.stderr.includes('above the indexed watermark'), `the refusal says why: ${r.stderr}`);
  await assertMatchesChain(db, 'after replay');
}

async function rollback_then_scan_restores_the_same_state() {
  const db = await freshDatabase();
  const H = await tc.head();
  await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: tc.config, db });
  const events = eventsDigest(db);
  const bal = balancesDigest(db);
  const mid = Math.floor(H / 2);

  let r = await cx.run(['rollback', '--chain', 'anvil', '--to-block', String(mid)], { config: tc.config, db });
  assertEqual(r.code, 2, 'rollback without --yes when stdin is not a terminal');
  r = await cx.run(['rollback', '--chain', 'anvil', '--to-block', String(mid), '--dry-run', '--output', 'json'], { config: tc.config, db });
  assertEqual(r.code, 0, `rollback --dry-run: ${r.stderr}`);
  assertEqual(eventsDigest(db), events, 'a dry run changes nothing');
  await cx.ok(['rollback', '--chain', 'anvil', '--to-block', String(mid), '--yes', '--reason', 'e2e test'], { config: tc.config, db });
  const s = await status(db);
  assertEqual(s.watermark, mid, 'watermark after the rollback');
  assertEqual(s.last_reorg.kind, 'rollback', 'the rollback is recorded');
  assert(Number(sql(db, `SELECT count(*) FROM balance_events WHERE block_number > ${mid}`)) === 0, 'no events above the rollback block');
  assert(Number(sql(db, "SELECT count(*) FROM reorgs WHERE kind = 'rollback' AND reason LIKE 'e2e test; by %'")) === 1, 'who and why are recorded');
  await cx.ok(['status', '--chain', 'anvil', '--verify'], { config: tc.config, db });
  await cx.ok(['scan', '--chain', 'anvil', '--once'], { config: tc.config, db });
  assertEqual(eventsDigest(db), events, 'events after rollback + scan --once equal the ones before');
  assertEqual(balancesDigest(db), bal, 'balances after rollback + scan --once equal the ones before');
  await assertMatchesChain(db, 'after rollback + scan');
}

// Issue 10 #1: a rollback while a backfill or scan --once is writing must not leave a hole. The
// writer whose parent block vanished stops non-zero; `status --verify` finds the stored blocks
// sound; a rerun completes and equals balanceOf. A slow node keeps the writer busy long enough.
async function rollback_during_a_running_backfill_or_scan_leaves_no_hole() {
  const proxy = await startFaultyProxy(anvil.url, { maxLogRange: 100000, fail503: 0, delayMs: 40 });
  const slow = writeConfig(work, { name: 'anvil', rpcUrl: proxy.url, pollMs: 200, extra: 'batch_blocks = 1\n', file: 'slow.toml' });
  const H = await tc.head();
  const watermark = (db) => Number(sql(db, "SELECT coalesce(max(block_number), -1) FROM watermarks WHERE chain = 'anvil'"));
  try {
    for (const command of [['backfill', '--from', '0', '--to', String(H)], ['scan', '--once']]) {
      const db = await freshDatabase();
      const writer = cx.background([command[0], '--chain', 'anvil', ...command.slice(1)], { config: slow, db });
      const t0 = Date.now();
      while (watermark(db) < 20) {
        assert(writer.running(), `${command[0]} ended before the rollback: ${writer.stderr()}`);
        assert(Date.now() - t0 < 60000, `${command[0]} made no progress: ${writer.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await cx.ok(['rollback', '--chain', 'anvil', '--to-block', '10', '--yes', '--force', '--reason', 'e2e: during a writer'], { config: tc.config, db });
      assert(writer.running(), `${command[0]} ended before the rollback committed; make the node slower`);
      const { code } = await writer.exited;
      assertEqual(code, 1, `${command[0]} whose parent block vanished exits 1 (stderr: ${writer.stderr()})`);
      assert(writer.stderr().includes('was removed while this run was writing'), `${command[0]} says why: ${writer.stderr()}`);
      const v = await cx.run(['status', '--chain', 'anvil', '--verify', '--output', 'json'], { config: tc.config, db });
      assertEqual(v.code, 0, `status --verify after the interrupted ${command[0]}: ${v.stdout} ${v.stderr}`);
      const s = JSON.parse(v.stdout);
      assertEqual(JSON.stringify(s.block_runs), JSON.stringify([{ from: 0, to: s.watermark }]), 'one run of blocks, up to the watermark');
      await cx.ok([command[0], '--chain', 'anvil', ...command.slice(1)], { config: tc.config, db });
      await cx.ok(['status', '--chain', 'anvil', '--verify'], { config: tc.config, db });
      await assertMatchesChain(db, `${command[0]} rerun after the rollback`);
    }
  } finally {
    await proxy.stop();
  }
}

async function getlogs_range_refusals_are_split_and_retries_recover() {
  const H = await tc.head();
  const proxy = await startFaultyProxy(anvil.url, { maxLogRange: 8, fail503: 1 });
  try {
    const config = writeConfig(work, { name: 'anvil', rpcUrl: proxy.url, pollMs: 200, file: 'strict-provider.toml' });
    const db = await freshDatabase();
    const metricsFile = path.join(work, 'strict.prom');
    const r = await cx.run(['--metrics-file', metricsFile, 'backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config, db });
    assertEqual(r.code, 0, `backfill through a strict provider (stderr: ${r.stderr.slice(-800)})`);
    assert(proxy.stats.served503 === 1 && r.stderr.includes('HTTP 503'), `the 503 was retried and logged: ${r.stderr.slice(0, 400)}`);
    assert(proxy.stats.refusedRanges > 0, 'the provider refused some eth_getLogs ranges');
    assert(proxy.stats.largestLogRange <= 8 && proxy.stats.largestLogRange >= 4, `ranges were halved to fit (largest served ${proxy.stats.largestLogRange})`);
    const prom = fs.readFileSync(metricsFile, 'utf8');
    const metric = (re) => { const m = prom.match(re); return m ? Number(m[1]) : null; };
    assertEqual(metric(/^chainidx_blocks_indexed_total\{chain="anvil",command="backfill"\} (\d+)$/m), H + 1, 'metrics: blocks indexed');
    assertEqual(metric(/^chainidx_last_run_exit_code\{chain="anvil",command="backfill"\} (\d+)$/m), 0, 'metrics: exit code of the run, by chain and command');
    assert(metric(/^chainidx_rpc_retries_total\{chain="anvil",method="eth_chainId",endpoint="http:\/\/127\.0\.0\.1:\d+",command="backfill"\} (\d+)$/m) === 1, `metrics: the 503 retry is counted by chain, method and endpoint:\n${prom.split('\n').filter((l) => l.includes('rpc_')).join('\n')}`);
    assert(metric(/^chainidx_rpc_requests_total\{chain="anvil",method="eth_getLogs",endpoint="[^"]+",command="backfill"\} (\d+)$/m) > proxy.stats.refusedRanges, 'metrics: eth_getLogs requests counted');
    const direct = await freshDatabase();
    await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: tc.config, db: direct });
    assertEqual(eventsDigest(db), eventsDigest(direct), 'events through the strict provider equal a direct backfill');
    assertEqual(balancesDigest(db), balancesDigest(direct), 'balances through the strict provider equal a direct backfill');
    say(`strict provider: ${proxy.stats.requests} requests, ${proxy.stats.refusedRanges} eth_getLogs ranges refused and split (largest served ${proxy.stats.largestLogRange} blocks), 1 HTTP 503 retried; same index as direct`);
  } finally {
    await proxy.stop();
  }
}

// A proxy in front of anvil that keeps answering eth_getBlockByNumber with the blocks it saw
// while recording: a node stuck on the old branch after a reorg.
function startStaleProxy(targetUrl) {
  const cache = new Map();
  let recording = true;
  const server = require('node:http').createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      const msgs = [].concat(JSON.parse(body));
      const answers = [];
      for (const m of msgs) {
        const key = m.method === 'eth_getBlockByNumber' && /^0x/.test(m.params[0]) ? JSON.stringify(m.params) : null;
        if (key && !recording && cache.has(key)) { answers.push({ jsonrpc: '2.0', id: m.id, result: cache.get(key) }); continue; }
        const up = await (await fetch(targetUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(m) })).json();
        if (key && recording) cache.set(key, up.result);
        answers.push(up);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(Array.isArray(JSON.parse(body)) ? answers : answers[0]));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    freeze: () => { recording = false; },
    close: () => server.close(),
  })));
}

// A reorg 4 blocks deep is unwound only when a second endpoint sees the new branch too.
async function deep_reorg_needs_a_second_endpoint() {
  const db = await freshDatabase();
  const H = await tc.head();
  await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: tc.config, db });
  const stale = await startStaleProxy(anvil.url);
  const rpc = async (method, params) => (await (await fetch(stale.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })).json()).result;
  for (let n = H - 6; n <= H; n++) await rpc('eth_getBlockByNumber', ['0x' + n.toString(16), false]);
  stale.freeze();
  const depth = 4;
  const oldHash = (await tc.chain.block(H - depth + 1)).hash;
  await tc.anvil.rpc.call('anvil_reorg', [depth, []]);
  assert((await tc.chain.block(H - depth + 1)).hash !== oldHash, 'anvil_reorg replaced the blocks');
  await tc.anvil.rpc.call('evm_mine', []);  // the next block reveals the reorg to a scan
  const before = `${eventsDigest(db)} ${balancesDigest(db)}`;

  const disagreeing = writeConfig(work, { name: 'anvil', rpcUrl: `${anvil.url}", "${stale.url}`, file: 'two-endpoints-stale.toml' });
  const r = await cx.run(['scan', '--chain', 'anvil', '--once'], { config: disagreeing, db });
  assertEqual(r.code, 4, `scan with one endpoint on the old branch (stderr: ${r.stderr.trim()})`);
  assert(/reported by only 1 endpoint/.test(r.stderr) && r.stderr.includes(stale.url), `the error names the disagreeing endpoint: ${r.stderr.trim()}`);
  assertEqual(`${eventsDigest(db)} ${balancesDigest(db)}`, before, 'nothing unwound while the endpoints disagree');
  say(`deep reorg (${depth}) with a stale second endpoint: exit 4, nothing unwound`);

  const agreeing = writeConfig(work, { name: 'anvil', rpcUrl: `${anvil.url}", "${anvil.url.replace('127.0.0.1', 'localhost')}`, file: 'two-endpoints.toml' });
  await cx.ok(['scan', '--chain', 'anvil', '--once'], { config: agreeing, db });
  const st = await status(db);
  assert(st.last_reorg && st.last_reorg.depth >= depth, `the reorg is unwound once two endpoints agree: ${JSON.stringify(st.last_reorg)}`);
  await assertMatchesChain(db, `deep reorg confirmed by two endpoints (depth ${st.last_reorg.depth})`);
  stale.close();
}

const SCENARIOS = [getlogs_range_refusals_are_split_and_retries_recover, pipes_give_the_same_database_as_backfill, malformed_ndjson_exits_2_and_changes_nothing,
  reconcile_finds_drift_and_replay_fixes_it, rollback_then_scan_restores_the_same_state,
  rollback_during_a_running_backfill_or_scan_leaves_no_hole,
  deep_reorg_needs_a_second_endpoint];  // last: it reorganises the shared chain

async function main() {
  const wanted = process.argv.slice(2);
  const chosen = SCENARIOS.filter((s) => !wanted.length || wanted.includes(s.name));
  let passed = 0;
  let failed = 0;
  try {
    anvil = await startAnvil({ t0: DEFAULT_T0 + 2000000 });
    tc = await TestChain.create(anvil, { seed: 0x0b5, blocks: 60, minOps: 4, maxOps: 10 });
    tc.config = writeConfig(work, { name: 'anvil', rpcUrl: anvil.url, pollMs: 200 });
    say(`chain ${anvil.url}: ${await tc.head()} blocks, ${tc.counts.erc20Logs} ERC-20 Transfer logs, ${tc.pairs.size} pairs`);
  } catch (e) {
    console.error(`ops-e2e: cannot start: ${e.stack || e.message}`);
    console.log(`ops-e2e: 0 passed, ${chosen.length} failed`);
    process.exit(1);
  }
  for (const scenario of chosen) {
    const t = Date.now();
    console.log(`ops-e2e: ${scenario.name} …`);
    try {
      await scenario();
      passed++;
      console.log(`ops-e2e: PASS ${scenario.name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`ops-e2e: FAIL ${scenario.name}`);
      console.error(`ops-e2e: ${scenario.name}: ${e instanceof AssertionError ? 'assertion failed: ' + e.message : e.stack || e.message}`);
      break;
    }
  }
  await anvil.stop();
  if (!failed) fs.rmSync(work, { recursive: true, force: true });
  else console.error(`ops-e2e: work files kept in ${work}`);
  console.log(`ops-e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`ops-e2e: internal error: ${e.stack || e.message}`);
  process.exit(1);
});
