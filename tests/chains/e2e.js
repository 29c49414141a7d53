#!/usr/bin/env node
'use strict';
// End-to-end tests of chainidx on Bitcoin and Solana: the real binary and a real PostgreSQL
// against tests/fakechain (a fake node serving real mainnet blocks as a small chain with a
// fork). Balances must equal tests/fakechain/expected.js, computed independently.
//
//   CHAINIDX_BIN            the chainidx binary
//   CHAINIDX_DATABASE_URL   any database of the cluster; its role must have CREATEDB: each
//                           scenario makes fresh databases next to it
//
// Usage: node tests/chains/e2e.js [scenario-name …]. Stops at the first failure and exits 1.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const cx = require('../evm/lib/chainidx');
const dbs = require('../evm/lib/db');
const { sql } = dbs;
const { AssertionError, assert, assertEqual, say } = require('../evm/lib/assert');
const { assertBalances: checkBalances } = require('./balances');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chainidx-chains-'));
const servers = [];

const SOL_GENESIS = 'GH7ome3EiwEr7tu9JuTh2dpYWBJK3z69Xm1ZE3MEE6JC';

// ---- fake nodes ------------------------------------------------------------------------------

async function startNode(family, flags = []) {
  const portFile = path.join(work, `port-${family}-${servers.length}`);
  const proc = spawn(process.execPath, [path.join(__dirname, '..', 'fakechain', 'server.js'), '--family', family, '--port-file', portFile, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
  servers.push(proc);
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const t0 = Date.now();
  while (!fs.existsSync(portFile)) {
    if (proc.exitCode !== null || Date.now() - t0 > 15000) throw new Error(`fake ${family} node did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = `http://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}`;
  const node = { family, url, stderr: () => stderr };
  node.control = async (op) => {
    const res = await fetch(`${url}/control`, { method: 'POST', body: JSON.stringify(op) });
    const j = await res.json();
    if (!j.ok) throw new Error(`control ${JSON.stringify(op)}: ${JSON.stringify(j)}`);
    return j;
  };
  return node;
}

function writeConfig(node, name, extra = '') {
  const file = path.join(work, `${name}.toml`);
  const family = node.family;
  const lines = [
    '[database]', 'url = "$CHAINIDX_DATABASE_URL"', '',
    `[chains.${name}]`, `family = "${family}"`, `rpc = ["${node.url}"]`,
    `start_block = ${family === 'bitcoin' ? 0 : 1000}`, 'poll_interval_ms = 100',
    'rpc_retries = 8', 'rpc_retry_budget_ms = 60000',
  ];
  if (family === 'solana') lines.push(`genesis_hash = "${SOL_GENESIS}"`);
  fs.writeFileSync(file, lines.join('\n') + '\n' + extra);
  return file;
}

// ---- database --------------------------------------------------------------------------------

const freshDatabase = (config) => dbs.freshDatabase('chains', config);

// Everything an event says, in a stable order, hashed; and the Bitcoin UTXO table likewise.
function digest(db) {
  const events = sql(db, "SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws(',', chain, encode(tx_hash, 'hex'), event_index, leg, block_number, encode(block_hash, 'hex'), encode(token, 'hex'), encode(account, 'hex'), delta), ';' ORDER BY tx_hash, event_index, leg)), '') FROM balance_events");
  const utxos = sql(db, "SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws(',', encode(txid, 'hex'), vout, encode(account, 'hex'), value, created_block, spent_block), ';' ORDER BY txid, vout)), '') FROM utxos");
  return `events ${events}; utxos ${utxos}`;
}

// ---- expectations ----------------------------------------------------------------------------

async function assertBalances(config, chain, db, family, branch, at, label) {
  const n = await checkBalances(config, chain, db, family, branch, at, label);
  say(`${label}: ${n} balances equal expected.js (${branch})`);
}

async function status(config, chain, db) {
  return cx.json(['status', '--chain', chain, '--output', 'json', '--verify'], { config, db });
}

async function reconcileClean(config, chain, db, label) {
  const r = await cx.run(['reconcile', '--chain', chain], { config, db });
  assert(r.code === 0, `${label}: reconcile exited ${r.code}: ${cx.tail(r.stdout + r.stderr, 1500)}`);
  say(`${label}: ${r.stdout.split('\n')[0]}`);
}

// ---- scenarios -------------------------------------------------------------------------------

const SCENARIOS = [];
const scenario = (name, fn) => { Object.defineProperty(fn, 'name', { value: name }); SCENARIOS.push(fn); };

const BTC = { family: 'bitcoin', chain: 'btc', first: 0, tip: { main: 7, fork: 8 } };
const SOL = { family: 'solana', chain: 'sol', first: 1000, tip: { main: 1006, fork: 1007 } };

for (const F of [BTC, SOL]) {
  const tipOp = (at) => (F.family === 'bitcoin' ? { op: 'tip', height: at } : { op: 'tip', slot: at });

  scenario(`${F.family}_backfill_reconcile_idempotent`, async () => {
    const node = await startNode(F.family);
    const config = writeConfig(node, F.chain);
    const db = await freshDatabase(config);
    await cx.ok(['backfill', '--chain', F.chain, '--from', String(F.first), '--to', String(F.tip.main)], { config, db });
    await assertBalances(config, F.chain, db, F.family, 'main', undefined, 'backfill');
    const s = await status(config, F.chain, db);
    assertEqual(s.watermark, F.tip.main, 'watermark');
    assertEqual((s.balance_sum_mismatches || []).length, 0, 'balances equal the sum of their events');
    await reconcileClean(config, F.chain, db, 'reconcile');
    // Idempotent: the same range again, and the event stream piped into another database.
    const before = digest(db);
    const again = await cx.ok(['backfill', '--chain', F.chain, '--from', String(F.first), '--to', String(F.tip.main)], { config, db });
    assertEqual(digest(db), before, 'events and UTXOs after backfilling the same range again');
    assert(/nothing to do: the backfill of blocks \d+\.\.\d+ is already finished/.test(again.stderr), `a second backfill stores nothing new: ${cx.tail(again.stderr, 400)}`);
    const db2 = await freshDatabase(config);
    const pipe = spawnSync('bash', ['-o', 'pipefail', '-c', `"$BIN" --config ${config} backfill --chain ${F.chain} --from ${F.first} --to ${F.tip.main} --emit raw | "$BIN" --config ${config} normalize --chain ${F.chain} | "$BIN" --config ${config} --db "$DB2" ingest --chain ${F.chain}`], { encoding: 'utf8', env: { ...process.env, BIN: cx.binary(), DB2: db2 }, maxBuffer: 1 << 28 });
    // (Bitcoin: a pipe needs the inputs' prevouts, getblock verbosity 3, which this node has.)
    assertEqual(pipe.status, 0, `emit raw | normalize | ingest: ${pipe.stderr}`);
    await assertBalances(config, F.chain, db2, F.family, 'main', undefined, 'emit raw | normalize | ingest');
    assertEqual(digest(db2).split(';')[0], before.split(';')[0], 'the piped events equal the backfilled ones');
  });

  scenario(`${F.family}_fork_scan_rollback`, async () => {
    const node = await startNode(F.family);
    const config = writeConfig(node, F.chain);
    const db = await freshDatabase(config);
    // Keep the forked slots above finality (Solana: finalized lags 5 slots behind the tip).
    if (F.family === 'solana') await node.control({ op: 'finalized_lag', lag: 5 });
    await cx.ok(['scan', '--chain', F.chain, '--once'], { config, db });
    await assertBalances(config, F.chain, db, F.family, 'main', undefined, 'scan --once (main)');
    await node.control({ op: 'branch', name: 'fork' });
    const r = await cx.ok(['scan', '--chain', F.chain, '--once'], { config, db });
    assert(/reorg/.test(r.stderr), `the second scan reports the reorg: ${cx.tail(r.stderr, 600)}`);
    await assertBalances(config, F.chain, db, F.family, 'fork', undefined, 'scan --once after the fork');
    const s = await status(config, F.chain, db);
    assertEqual(s.watermark, F.tip.fork, 'watermark after the fork');
    assertEqual(s.reorg_count, 1, 'reorgs recorded');
    await reconcileClean(config, F.chain, db, 'reconcile on the fork');
    // Rollback and rescan: back to the same events.
    const before = digest(db);
    const back = F.family === 'bitcoin' ? 3 : 1002;
    await cx.ok(['rollback', '--chain', F.chain, '--to-block', String(back), '--reason', 'e2e', '--yes'], { config, db });
    await assertBalances(config, F.chain, db, F.family, 'fork', back, `rollback --to ${back}`);
    await cx.ok(['scan', '--chain', F.chain, '--once'], { config, db });
    assertEqual(digest(db), before, 'events and UTXOs after rollback and rescan');
    say('rollback + rescan: equal');
  });

  scenario(`${F.family}_kill_and_rerun`, async () => {
    const node = await startNode(F.family);
    const config = writeConfig(node, F.chain);
    const clean = await freshDatabase(config);
    const args = ['backfill', '--chain', F.chain, '--from', String(F.first), '--to', String(F.tip.main), '--batch-blocks', '1'];
    const cleanRun = await cx.ok(args, { config, db: clean });
    const want = digest(clean);
    let midRun = 0;
    const trials = 10;
    for (let i = 0; i < trials; i++) {
      const db = await freshDatabase(config);
      const p = cx.background(args, { config, db });
      // Anywhere from start-up to the end of a clean run (which takes cleanRun.ms).
      await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * cleanRun.ms)));
      if (p.running()) { midRun++; p.proc.kill('SIGKILL'); }
      await p.exited;
      await cx.ok(args, { config, db });
      assertEqual(digest(db), want, `trial ${i + 1}: events and UTXOs after SIGKILL and rerun`);
    }
    say(`${trials}/${trials} SIGKILL trials equal the clean run (${midRun} killed mid-run)`);
  });

  scenario(`${F.family}_faults_and_wrong_chain`, async () => {
    const node = await startNode(F.family);
    const config = writeConfig(node, F.chain, '');
    const db = await freshDatabase(config);
    // At most three in a row on one method, so backoff stays short and no breaker opens.
    const [list, get] = F.family === 'bitcoin' ? ['getblockhash', 'getblock'] : ['getBlocks', 'getBlock'];
    for (const [kind, method] of [['429', list], ['reset', list], ['500', get], ['truncate', get], ['malformed', get]]) await node.control({ op: 'fault', kind, method });
    const r = await cx.ok(['backfill', '--chain', F.chain, '--from', String(F.first), '--to', String(F.tip.main), '--batch-blocks', '2'], { config, db });
    const stats = await node.control({ op: 'stats' });
    assertEqual(stats.faults_injected.length, 5, 'faults injected');
    assert(/retry/.test(r.stderr), 'the retries are logged');
    await assertBalances(config, F.chain, db, F.family, 'main', undefined, 'after 5 injected faults');
    // A node of another chain: exit 2 naming it, the database untouched.
    const before = digest(db);
    await node.control({ op: 'fault', kind: 'wrong_chain' });
    const wrong = await cx.run(['scan', '--chain', F.chain, '--once'], { config, db });
    assertEqual(wrong.code, 2, `scan against a node of another chain exits 2 (${cx.tail(wrong.stderr, 300)})`);
    assert(/another chain|genesis/i.test(wrong.stderr), `the error says why: ${cx.tail(wrong.stderr, 300)}`);
    assertEqual(digest(db), before, 'nothing written by the refused scan');
    await node.control({ op: 'clear' });
    say(`5 faults recovered (${(r.ms / 1000).toFixed(1)} s); wrong chain: ${wrong.stderr.trim().split('\n').pop()}`);
  });
}

scenario('bitcoin_without_prevouts', async () => {
  // A node without getblock verbosity 3: debits come from chainidx's own UTXO table, across
  // batches, through a fork, a rollback and a rescan.
  const node = await startNode('bitcoin', ['--no-prevout']);
  const config = writeConfig(node, 'btc', 'batch_blocks = 2\n');
  const db = await freshDatabase(config);
  await node.control({ op: 'tip', height: 6 });
  await cx.ok(['backfill', '--chain', 'btc', '--from', '0', '--to', '6'], { config, db });
  await assertBalances(config, 'btc', db, 'bitcoin', 'main', 6, 'backfill in batches of 2 without prevouts');
  await node.control({ op: 'branch', name: 'fork' });
  await cx.ok(['scan', '--chain', 'btc', '--once'], { config, db });
  await assertBalances(config, 'btc', db, 'bitcoin', 'fork', undefined, 'fork without prevouts');
  await reconcileClean(config, 'btc', db, 'reconcile (UTXO table)');
  await cx.ok(['rollback', '--chain', 'btc', '--to-block', '5', '--yes'], { config, db });
  await cx.ok(['scan', '--chain', 'btc', '--once'], { config, db });
  await assertBalances(config, 'btc', db, 'bitcoin', 'fork', undefined, 'rollback to 5 + rescan');
  // A pipe cannot reach the UTXO table: a clear error, not wrong balances.
  const emit = await cx.run(['backfill', '--chain', 'btc', '--from', '0', '--to', '8', '--emit', 'events'], { config });
  assertEqual(emit.code, 4, `--emit events without prevouts exits 4 (${cx.tail(emit.stderr, 300)})`);
  assert(/verbosity 3/.test(emit.stderr), `the error says what is missing: ${cx.tail(emit.stderr, 300)}`);
  // A backfill that starts past history it has not seen names the missing output.
  const db2 = await freshDatabase(config);
  const gap = await cx.run(['backfill', '--chain', 'btc', '--from', '4', '--to', '8'], { config, db: db2 });
  assertEqual(gap.code, 4, `a backfill without the history its inputs spend exits 4 (${cx.tail(gap.stderr, 300)})`);
  assert(/not in the UTXO table/.test(gap.stderr), `the error names the output: ${cx.tail(gap.stderr, 300)}`);
  assertEqual(sql(db2, 'SELECT count(*) FROM balance_events'), '0', 'nothing written by the refused batch');
});

scenario('tls_private_ca', async () => {
  // TLS is verified: an endpoint whose certificate is signed by a private CA is refused until
  // that CA is given, with --ca-file (or CHAINIDX_CA_FILE) or the chain's ca_file.
  const node = await startNode('bitcoin');
  const dir = path.join(work, 'tls');
  fs.mkdirSync(dir);
  const openssl = (...args) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=chainidx test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  const https = require('node:https');
  const server = https.createServer({ key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.pem')) }, async (req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      const upstream = await fetch(node.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      res.writeHead(upstream.status, { 'Content-Type': 'application/json' });
      res.end(await upstream.text());
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const tlsNode = { ...node, url: `https://127.0.0.1:${server.address().port}` };
    const config = writeConfig(tlsNode, 'btc');
    const emit = ['backfill', '--chain', 'btc', '--from', '0', '--to', '2', '--emit', 'events'];
    const refused = await cx.run(emit, { config });
    assertEqual(refused.code, 1, `an unknown CA is refused (${cx.tail(refused.stderr, 300)})`);
    assert(/certificate|SSL|TLS/i.test(refused.stderr), `the error says it is the certificate: ${cx.tail(refused.stderr, 300)}`);
    await cx.ok(['--ca-file', path.join(dir, 'ca.pem'), ...emit], { config });
    await cx.ok(emit, { config, env: { CHAINIDX_CA_FILE: path.join(dir, 'ca.pem') } });
    const withKey = writeConfig(tlsNode, 'btc', `ca_file = "${path.join(dir, 'ca.pem')}"\n`);
    const r = await cx.ok(emit, { config: withKey });
    assert(r.stdout.split('\n').filter(Boolean).length > 3, 'events came through TLS');
    say(`unknown CA refused: ${refused.stderr.trim().split('\n').pop().slice(0, 160)}`);
  } finally {
    server.close();
  }
});

scenario('solana_skipped_slots_and_commitment', async () => {
  const node = await startNode('solana');
  const config = writeConfig(node, 'sol', 'commitment = "finalized"\n');
  const db = await freshDatabase(config);
  // With commitment finalized the head is the finalized slot (tip − 2 = 1004).
  await cx.ok(['scan', '--chain', 'sol', '--once'], { config, db });
  const s = await status(config, 'sol', db);
  assertEqual(s.watermark, 1004, 'watermark at the finalized slot');
  await assertBalances(config, 'sol', db, 'solana', 'main', 1004, 'scan at commitment finalized');
  const skipped = sql(db, "SELECT string_agg(number::text, ',' ORDER BY number) FROM blocks WHERE chain = 'sol' AND skipped");
  assertEqual(skipped, '1001', 'skipped slots recorded as such');
});

// ---- runner ----------------------------------------------------------------------------------

async function main() {
  const wanted = process.argv.slice(2);
  const chosen = SCENARIOS.filter((s) => !wanted.length || wanted.includes(s.name));
  let passed = 0;
  let failed = 0;
  for (const s of chosen) {
    const t = Date.now();
    console.log(`chains-e2e: ${s.name} …`);
    try {
      await s();
      passed++;
      console.log(`chains-e2e: PASS ${s.name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`chains-e2e: FAIL ${s.name}`);
      console.error(`chains-e2e: ${s.name}: ${e instanceof AssertionError ? 'assertion failed: ' + e.message : e.stack || e.message}`);
      break;
    }
  }
  for (const p of servers) p.kill('SIGTERM');
  if (!failed) fs.rmSync(work, { recursive: true, force: true });
  else console.error(`chains-e2e: work files kept in ${work}`);
  console.log(`chains-e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`chains-e2e: internal error: ${e.stack || e.message}`);
  for (const p of servers) p.kill('SIGKILL');
  process.exit(1);
});
