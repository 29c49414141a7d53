#!/usr/bin/env node
'use strict';
// The fault-injection suite: the real chainidx binary against a local anvil chain behind a
// scripted faulty JSON-RPC proxy (lib/fault-proxy.js) and a real PostgreSQL that it restarts.
// Every run must end either with balances equal to a clean run's (and to balanceOf), or with a
// clear non-zero exit and a consistent database — never a wrong balance. Each scenario prints
// one line of what it injected and the outcome; the last line sums them up.
//
//   CHAINIDX_BIN            the chainidx binary
//   CHAINIDX_DATABASE_URL   any database of the cluster; the role must have CREATEDB: every
//                           scenario makes its own fresh databases next to it
//   PG_DIR                  the cluster's directory (scripts/lib/common.sh pg_start), for
//                           postgres_restart_mid_run (restarted with pg_restart); skipped without
//   FAULT_E2E_TRIALS        SIGKILL trials (default 20)
//
// Usage: node fault-e2e.js [scenario-name …]. Stops at the first failed assertion and exits 1.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startAnvil, sleep, DEFAULT_T0 } = require('./lib/anvil');
const { TestChain } = require('./lib/testchain');
const { prng } = require('./lib/traffic');
const { hexQty } = require('./lib/abi');
const { writeConfig } = require('./lib/config');
const cx = require('./lib/chainidx');
const { startFaultProxy, KINDS } = require('./lib/fault-proxy');
const { startWebhookSink } = require('./lib/webhook-sink');
const { AssertionError, assert, assertEqual, say } = require('./lib/assert');

const ROOT = path.resolve(__dirname, '..', '..');
process.setMaxListeners(100); // lib/chainidx.js adds an exit listener per background process
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chainidx-fault-'));
const TRIALS = Number(process.env.FAULT_E2E_TRIALS || 20);
let anvil = null;
let tc = null;
let H = 0; // the chain's head while the scenarios run (reorg_mid_range, the last, moves it)
let clean = null; // { db, events, balances }: a clean backfill 0..H straight from anvil
let dbCounter = 0;
const databases = [];
const injected = Object.fromEntries(KINDS.map((k) => [k, 0]));
const outcome = {}; // scenario name -> its one-line result
const figures = {}; // for the final line

/// psql against `url`; returns stdout (unaligned, tuples only).
function sql(url, query) {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', query], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`psql ${query}: ${r.error ? r.error.message : r.stderr}`);
  return r.stdout.trim();
}

/// Where CREATE/DROP DATABASE run: the database of the harness (the role has CREATEDB).
const adminUrl = () => process.env.CHAINIDX_DATABASE_URL;

/// A fresh database next to CHAINIDX_DATABASE_URL, with the schema migrated.
async function freshDatabase() {
  const base = process.env.CHAINIDX_DATABASE_URL;
  if (!base) throw new AssertionError('CHAINIDX_DATABASE_URL is not set (tests/evm/run-e2e.sh sets it)');
  const name = `fault_${process.pid}_${++dbCounter}`;
  sql(adminUrl(), `CREATE DATABASE ${name}`);
  databases.push(name);
  const u = new URL(base);
  u.pathname = '/' + name;
  const url = u.toString();
  await cx.ok(['migrate', 'up'], { config: tc.config, db: url });
  return url;
}

/// Housekeeping, best effort: a plain DROP waits (up to 5 s) for sessions that are ending and
/// stops autovacuum workers, which WITH (FORCE) may not terminate for a non-superuser.
function dropDatabase(name) {
  for (const q of [`DROP DATABASE IF EXISTS ${name}`, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]) {
    try {
      sql(adminUrl(), q);
      const i = databases.indexOf(name);
      if (i >= 0) databases.splice(i, 1);
      return;
    } catch (_) { /* the throwaway cluster goes away anyway */ }
  }
}
const dropDatabaseOf = (url) => dropDatabase(decodeURIComponent(new URL(url).pathname.slice(1)));

/// Everything an event row says except its finality stage, in a stable order, hashed; up to block `upTo`.
function eventsDigest(db, upTo = null) {
  const where = upTo === null ? '' : ` WHERE block_number <= ${Number(upTo)}`;
  return sql(db, `SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws(',', chain, encode(tx_hash, 'hex'), event_index, leg, block_number, encode(block_hash, 'hex'), encode(token, 'hex'), encode(account, 'hex'), delta), ';' ORDER BY tx_hash, event_index, leg)), '') FROM balance_events${where}`);
}
function balancesDigest(db) {
  return sql(db, "SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws(',', chain, encode(token, 'hex'), encode(account, 'hex'), amount), ';' ORDER BY token, account)), '') FROM balances");
}
function blocksDigest(db) {
  return sql(db, "SELECT count(*) || ' ' || coalesce(md5(string_agg(number || ':' || encode(hash, 'hex'), ';' ORDER BY number)), '') FROM blocks");
}
/// The index as a whole: events, balances and block hashes.
const digest = (db) => `${eventsDigest(db)} | ${balancesDigest(db)} | ${blocksDigest(db)}`;

/// The watermark of chain anvil straight from the table (null when there is none).
function watermark(db) {
  const v = sql(db, "SELECT block_number FROM watermarks WHERE chain = 'anvil'");
  return v === '' ? null : Number(v);
}

function rowCounts(db) {
  const tables = ['chains', 'blocks', 'balance_events', 'balances', 'watermarks', 'backfill_jobs', 'reorgs'];
  return tables.map((t) => `${t}=${sql(db, `SELECT count(*) FROM ${t}`)}`).join(' ');
}

async function status(db, config = tc.config) {
  return cx.json(['status', '--chain', 'anvil', '--output', 'json'], { config, db });
}

async function verify(db, label) {
  const r = await cx.run(['status', '--chain', 'anvil', '--verify'], { config: tc.config, db });
  assertEqual(r.code, 0, `${label}: status --verify exit code (stderr: ${r.stderr.trim().slice(-600)})`);
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
  return `${pairs.length} pairs equal balanceOf at block ${s.watermark}`;
}

/// A config for chain anvil at `rpcUrl` with extra chain keys.
function config(file, rpcUrl, extra = '') {
  return writeConfig(work, { name: 'anvil', rpcUrl, pollMs: 200, file, extra });
}

/// Runs fn(proxy) with a fresh fault proxy in front of anvil; adds what it injected to the totals.
async function withProxy(fn, opts) {
  const proxy = await startFaultProxy(anvil.url, opts);
  try {
    return await fn(proxy);
  } finally {
    for (const k of KINDS) injected[k] += proxy.stats.injected[k];
    await proxy.stop();
  }
}

const kinds = (counts) => KINDS.filter((k) => counts[k]).map((k) => `${k}×${counts[k]}`).join(' ') || 'nothing';
const lastLine = (s) => s.trim().split('\n').filter(Boolean).pop() || '';
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

function report(name, line) {
  outcome[name] = line;
  console.log(`  => ${name}: ${line}`);
}

/// Restarts the PostgreSQL cluster of PG_DIR (scripts/lib/common.sh pg_restart); returns ms taken.
function pgRestart() {
  const t = Date.now();
  const r = spawnSync('bash', ['-c', '. scripts/lib/common.sh && pg_restart'], { cwd: ROOT, encoding: 'utf8', timeout: 90000 });
  if (r.error || r.status !== 0) throw new Error(`pg_restart: ${r.error ? r.error.message : r.stderr}`);
  return Date.now() - t;
}

async function waitFor(what, timeoutMs, fn) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    last = await fn();
    if (last.done) return last;
    if (Date.now() > deadline) throw new AssertionError(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last: ${last.seen}`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------

async function every_fault_kind_recovers() {
  await withProxy(async (proxy) => {
    const cfg = config('every-fault.toml', proxy.url, 'rpc_timeout_ms = 1500\nrpc_retries = 5\nbatch_blocks = 10\n');
    // Each step fails the next matching request(s) after letting `skip` of them through. A reset
    // comes twice: libcurl resends a request once by itself when a reused connection dies before
    // any answer, so only the second reaches chainidx. The 429 burst lands on three retries of one
    // eth_getLogs call near the end (a 429 lowers the endpoint's rate for the rest of the run).
    // A span's headers travel with its logs (one batch), so the steps aimed at headers hit those
    // batches too.
    const logsCall = (msg) => [].concat(msg || []).find((m) => m && m.method === 'eth_getLogs');
    const nearTheEnd = (msg) => !!logsCall(msg) && parseInt(logsCall(msg).params[0].fromBlock, 16) >= H - 30;
    proxy.plan([
      { kind: '500' }, // the first request: eth_chainId
      { kind: '500', method: 'eth_blockNumber' }, // the heights (head, finalized, safe: one batch)
      { kind: 'reset', times: 2, method: 'eth_getLogs', skip: 1 },
      { kind: 'truncate', method: 'eth_getLogs', skip: 1 }, // cut body, matching Content-Length
      { kind: 'malformed', method: 'eth_getLogs', skip: 1 }, // broken JSON
      { kind: 'hang', method: 'eth_getLogs', skip: 1 },
      { kind: 'truncate', method: 'eth_getLogs', skip: 1 }, // connection closed mid-body
      { kind: 'reset', times: 2, method: 'eth_getLogs', skip: 1 },
      { kind: 'malformed', method: 'eth_getLogs', skip: 1 }, // an HTML error page
      { kind: '429', times: 3, method: 'eth_getLogs', match: nearTheEnd },
    ]);
    const resetBursts = 2;
    const db = await freshDatabase();
    const prom = path.join(work, 'every-fault.prom');
    const r = await cx.run(['--metrics-file', prom, 'backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: cfg, db, timeoutMs: 120000 });
    fs.writeFileSync(path.join(work, 'every-fault.stderr'), r.stderr);
    assertEqual(r.code, 0, `backfill through every fault kind (stderr: ${r.stderr.slice(-1500)})`);
    assertEqual(JSON.stringify(proxy.pending()), '[]', 'every planned fault was injected (the chain is long enough)');
    const n = proxy.stats.injected;
    const total = KINDS.reduce((s, k) => s + n[k], 0);
    const retries = (r.stderr.match(/; retry \d+\/\d+ in \d+ ms/g) || []).length;
    assert(retries >= total - resetBursts, `every injected fault was retried (by libcurl for the first reset of each pair): ${retries} retry warnings for ${total} faults\n${r.stderr.slice(-2000)}`);
    for (const [kind, re] of [['429', /HTTP 429/], ['500', /HTTP 500/], ['hang', /[Tt]imeout|timed out/], ['truncate', /malformed or truncated JSON/],
      ['reset', /Failure when receiving data|Connection reset|Recv failure|Empty reply|Send failure/], ['malformed', /malformed or truncated JSON/]]) {
      assert(re.test(r.stderr), `the ${kind} fault shows in the retry warnings (${re}):\n${r.stderr.slice(-2000)}`);
    }
    const waits429 = [...r.stderr.matchAll(/HTTP 429[^\n]*; retry \d+\/\d+ in (\d+) ms/g)].map((x) => Number(x[1]));
    assert(waits429.length === 3 && waits429.every((w) => w >= 1000), `each 429 retry waits at least its Retry-After of 1 s: ${waits429.join(', ')} ms`);
    assert(/eth_getLogs via http:\/\/127\.0\.0\.1:\d+/.test(r.stderr), `retry warnings name the method and the endpoint: ${r.stderr.slice(0, 600)}`);
    const metricSum = (name) => [...fs.readFileSync(prom, 'utf8').matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'gm'))].reduce((a, x) => a + Number(x[1]), 0);
    assertEqual(metricSum('chainidx_rpc_retries_total'), retries, '--metrics-file: chainidx_rpc_retries_total (all methods) vs the retry warnings');
    assert(metricSum('chainidx_rpc_errors_total') >= retries, `--metrics-file: chainidx_rpc_errors_total ${metricSum('chainidx_rpc_errors_total')} counts every failed attempt`);
    assertEqual(eventsDigest(db), clean.events, 'events after every fault kind vs the clean run');
    assertEqual(balancesDigest(db), clean.balances, 'balances after every fault kind vs the clean run');
    const m = await assertMatchesChain(db, 'after every fault kind');
    await verify(db, 'after every fault kind');
    report('every_fault_kind_recovers', `injected ${kinds(n)} (${total} faults, ${retries} retries logged; the 429s waited ${waits429.join(', ')} ms) into a backfill of ${H + 1} blocks: exit 0 after ${secs(r.ms)}; events and balances equal the clean run's, ${m}`);
  });
}

async function wrong_chain_id_refused() {
  await withProxy(async (proxy) => {
    proxy.setChainId(1);
    const key = 'KEYwr0ngch41n5ecret';
    const cfg = config('wrong-chain.toml', `${proxy.url}/v2/${key}`);
    const db = await freshDatabase();
    const before = rowCounts(db);
    const results = [];
    for (const args of [['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], ['scan', '--chain', 'anvil', '--once']]) {
      const r = await cx.run(args, { config: cfg, db });
      assertEqual(r.code, 2, `${args[0]} against a node of another chain (stderr: ${r.stderr.trim()})`);
      assert(r.stderr.includes('eth_chainId') && r.stderr.includes(proxy.url), `the error names eth_chainId and the endpoint ${proxy.url}: ${r.stderr.trim()}`);
      assert(!r.stderr.includes(key) && !r.stdout.includes(key), `the error does not show the endpoint's key: ${r.stderr.trim()}`);
      results.push(r);
    }
    const after = rowCounts(db);
    assertEqual(after, before, 'the database is untouched');
    assert(/chains=0 blocks=0 balance_events=0 balances=0 watermarks=0/.test(after), `nothing was written: ${after}`);
    report('wrong_chain_id_refused', `eth_chainId answered 0x1 (wrong_chain×${proxy.stats.injected.wrong_chain}): backfill and scan --once exit 2: "${lastLine(results[0].stderr).slice(0, 200)}"; database untouched (${after})`);
  });
}

async function persistent_outage_exits_cleanly() {
  await withProxy(async (proxy) => {
    const budgetMs = 10000;
    const cfg = config('outage.toml', proxy.url, `rpc_timeout_ms = 1500\nrpc_retries = 2\nrpc_retry_budget_ms = ${budgetMs}\nbatch_blocks = 10\n`);
    const db = await freshDatabase();
    const M = Math.floor(H / 2);
    await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(M)], { config: tc.config, db });
    const before = digest(db);

    // 1. The node is down from the first request.
    proxy.outage({ kinds: ['500', 'reset'] });
    const r = await cx.run(['backfill', '--chain', 'anvil', '--from', String(M + 1), '--to', String(H)], { config: cfg, db, timeoutMs: 120000 });
    assert(r.code !== 0 && r.code !== null, `a backfill against a node that is down exits non-zero (exit ${r.code}, stderr: ${r.stderr.slice(-800)})`);
    assert(r.ms < budgetMs + 5000, `it gives up within its retry budget: ${r.ms} ms`);
    const err = lastLine(r.stderr);
    assert(/eth_chainId/.test(r.stderr) && r.stderr.includes(proxy.url), `the error names the method and the endpoint ${proxy.url}: ${r.stderr.slice(-800)}`);
    await verify(db, 'after the outage');
    assertEqual(watermark(db), M, 'the watermark is unchanged');
    assertEqual(digest(db), before, 'nothing was written');
    const down = { ...proxy.stats.injected };

    // 2. The node goes down in the middle of a scan: what committed is a prefix of the clean run.
    proxy.clear();
    proxy.outage({ kinds: ['reset', '500'], after: 10 });
    const r2 = await cx.run(['scan', '--chain', 'anvil', '--once'], { config: cfg, db, timeoutMs: 120000 });
    assert(r2.code !== 0 && r2.code !== null, `a scan whose node goes down midway exits non-zero (exit ${r2.code}, stderr: ${r2.stderr.slice(-800)})`);
    assert(/(eth_getLogs|eth_getBlockByNumber|eth_blockNumber)/.test(lastLine(r2.stderr)) && lastLine(r2.stderr).includes(proxy.url), `the error names the method and the endpoint: ${lastLine(r2.stderr)}`);
    await verify(db, 'after the outage midway');
    const wm = watermark(db);
    assert(wm !== null && wm >= M && wm < H, `the watermark is where the last batch committed: ${wm}`);
    assertEqual(eventsDigest(db, wm), eventsDigest(clean.db, wm), `events up to the watermark ${wm} equal the clean run's`);
    const m = await assertMatchesChain(db, 'after the outage midway');
    const midway = KINDS.reduce((s, k) => s + proxy.stats.injected[k] - (down[k] || 0), 0);

    proxy.clear();
    await cx.ok(['scan', '--chain', 'anvil', '--once'], { config: cfg, db });
    assertEqual(eventsDigest(db), clean.events, 'events after the node came back vs the clean run');
    assertEqual(balancesDigest(db), clean.balances, 'balances after the node came back vs the clean run');
    report('persistent_outage_exits_cleanly', `every request failed (${kinds(down)}): backfill exit ${r.code} after ${secs(r.ms)} (rpc_retries 2, budget ${secs(budgetMs)}): "${err.slice(0, 220)}"; watermark still ${M}, --verify ok. Down after 10 requests (${midway} faults): scan exit ${r2.code} at watermark ${wm}, ${m}, events a prefix of the clean run's; rerun equal to the clean run`);
  });
}

async function secrets_never_printed() {
  await withProxy(async (proxy) => {
    const secretUrl = `http://user:s3cr3tpass@127.0.0.1:${proxy.port}/v2/KEYabcdef123456?apikey=QUERYs3cr3t789`;
    const cfg = config('secrets.toml', secretUrl, 'rpc_timeout_ms = 1500\nrpc_retries = 5\nbatch_blocks = 50\n');
    const cfgDown = config('secrets-down.toml', secretUrl, 'rpc_timeout_ms = 1500\nrpc_retries = 1\nbatch_blocks = 20\n');
    const db = await freshDatabase();
    const dbPassword = decodeURIComponent(new URL(db).password);
    assert(dbPassword.length >= 4, `the test database URL carries a password: ${new URL(db).username}:…`);
    const hook = await startWebhookSink();
    const hookUrl = `${new URL(hook.url).origin}/services/T0/B0/SLACKs3cr3tXYZ`; // a webhook URL is a secret too
    const deadHook = 'http://127.0.0.1:1/services/T0/B0/SLACKs3cr3tXYZ';
    const secrets = ['s3cr3tpass', 'KEYabcdef123456', 'QUERYs3cr3t789', dbPassword, Buffer.from('user:s3cr3tpass').toString('base64'), 'SLACKs3cr3tXYZ'];
    const outputs = [];
    const files = [];
    const run = async (label, args, opts = {}) => {
      const r = await cx.run(args, { config: cfg, db, ...opts });
      outputs.push({ label, text: r.stdout + r.stderr, ms: r.ms });
      return r;
    };
    proxy.random({ rate: 0.2, seed: 0x5ec, kinds: ['500', 'reset', 'truncate', 'malformed'] });
    const prom1 = path.join(work, 'secrets-1.prom');
    const prom2 = path.join(work, 'secrets-2.prom');
    const prom3 = path.join(work, 'secrets-3.prom');
    files.push(prom1, prom2, prom3);
    let r = await run('backfill, random faults, debug text logs', ['--metrics-file', prom1, 'backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { logLevel: 'debug' });
    assertEqual(r.code, 0, `backfill with random faults (stderr: ${r.stderr.slice(-1000)})`);
    assert(r.stderr.includes(`127.0.0.1:${proxy.port}`), 'the logs name the endpoint (redacted)');
    assertEqual(eventsDigest(db), clean.events, 'events after random faults vs the clean run');
    assertEqual(balancesDigest(db), clean.balances, 'balances after random faults vs the clean run');
    const db2 = await freshDatabase();
    r = await run('backfill, random faults, debug JSON logs', ['--log-format', 'json', '--metrics-file', prom2, 'backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { db: db2, logLevel: 'debug' });
    assertEqual(r.code, 0, `backfill with random faults, JSON logs (stderr: ${r.stderr.slice(-1000)})`);
    assertEqual(eventsDigest(db2), clean.events, 'events after random faults (JSON logs) vs the clean run');
    const randomFaults = KINDS.reduce((s, k) => s + proxy.stats.injected[k], 0);
    assert(randomFaults >= 4, `the random faults were injected (${kinds(proxy.stats.injected)})`);

    proxy.clear();
    proxy.outage({ kinds: ['500', 'reset'] });
    r = await run('scan during an outage, debug text logs', ['--metrics-file', prom3, '--alert-webhook', hookUrl, 'scan', '--chain', 'anvil', '--once'], { config: cfgDown, logLevel: 'debug', timeoutMs: 120000 });
    assert(r.code !== 0, 'scan during an outage fails');
    assert(r.stderr.includes(`127.0.0.1:${proxy.port}`), 'the error names the endpoint (redacted)');
    r = await run('scan during an outage, debug JSON logs', ['--log-format', 'json', '--alert-webhook', deadHook, 'scan', '--chain', 'anvil', '--once'], { config: cfgDown, logLevel: 'debug', timeoutMs: 120000 });
    assert(r.code !== 0, 'scan during an outage fails (JSON logs)');
    r = await run('status --check during an outage', ['status', '--chain', 'anvil', '--check'], { config: cfgDown, logLevel: 'debug' });
    r = await run('config show', ['config', 'show']);
    assertEqual(r.code, 0, `config show: ${r.stderr}`);
    const bad = new URL(db);
    bad.port = '1';
    r = await run('an unreachable database', ['backfill', '--chain', 'anvil', '--from', '0', '--to', '1'], { db: bad.toString(), logLevel: 'debug' });
    assert(r.code !== 0, 'a backfill with an unreachable database fails');
    const missing = new URL(db);
    missing.pathname = '/no_such_database_here';
    r = await run('a database that does not exist', ['--log-format', 'json', 'status', '--chain', 'anvil'], { db: missing.toString(), logLevel: 'debug' });
    assert(r.code !== 0, 'status with a database that does not exist fails');
    const pgPort = new URL(db).port;
    for (const [label, dsn] of [['a keyword DSN', `host=127.0.0.1 port=1 dbname=x user=chainidx password=${dbPassword}`],
      ['a DSN with ?password=', `postgres://chainidx@127.0.0.1:1/x?password=${encodeURIComponent(dbPassword)}&sslmode=disable`],
      ['a keyword DSN of a missing database', `host=127.0.0.1 port=${pgPort} dbname=no_such_db user=chainidx password = '${dbPassword}'`]]) {
      r = await run(label, ['status', '--chain', 'anvil'], { db: dsn, logLevel: 'debug' });
      assert(r.code !== 0, `status with ${label} that cannot be used fails`);
    }
    hook.close();
    for (const [i, body] of hook.received.entries()) outputs.push({ label: `alert webhook payload ${i + 1}`, text: JSON.stringify(body) });
    for (const f of files) {
      assert(fs.existsSync(f), `--metrics-file ${f} was written`);
      outputs.push({ label: `metrics file ${path.basename(f)}`, text: fs.readFileSync(f, 'utf8') });
    }
    assert([...proxy.stats.paths].some((p) => p.includes('/v2/KEYabcdef123456?apikey=QUERYs3cr3t789')), `chainidx used the secret URL: ${[...proxy.stats.paths].join(', ')}`);
    const leaks = [];
    let bytes = 0;
    for (const o of outputs) {
      bytes += o.text.length;
      for (const s of secrets) if (o.text.includes(s)) leaks.push(`${o.label}: "${s}" in …${o.text.slice(Math.max(0, o.text.indexOf(s) - 120), o.text.indexOf(s) + 40)}…`);
    }
    assert(leaks.length === 0, `secrets printed:\n    ${leaks.join('\n    ')}`);
    const shown = (outputs.map((o) => o.text).join('\n').match(new RegExp(`http://127\\.0\\.0\\.1:${proxy.port}(/\\*\\*\\*)?`)) || [''])[0];
    report('secrets_never_printed', `${outputs.length} outputs (${files.length} metrics files; text and JSON logs at debug; random faults ${randomFaults}, then an outage, ${kinds(proxy.stats.injected)}; ${hook.received.length} alert webhook payload(s) and an unreachable webhook; config show; unreachable and missing databases, URL and keyword DSNs), ${Math.round(bytes / 1024)} KiB searched for ${secrets.length} secrets (URL password, path key, query key, Basic auth, DSN password, webhook path): none found; endpoint shown as ${shown}`);
    dropDatabaseOf(db2);
  });
}

async function postgres_restart_mid_run() {
  if (!process.env.PG_DIR) {
    report('postgres_restart_mid_run', 'SKIPPED: PG_DIR is not set (run through tests/evm/run-e2e.sh, which starts the cluster)');
    figures.pg = 'skipped';
    return;
  }
  await withProxy(async (proxy) => {
    proxy.setDelay(8); // latency per request, so the backfill runs for seconds
    const cfg = config('pg-restart.toml', proxy.url);
    const db = await freshDatabase();
    const args = ['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H), '--batch-blocks', '2'];
    const t0 = Date.now();
    const bf = cx.background(args, { config: cfg, db });
    let wmAtRestart = null;
    await waitFor('the backfill to commit its first batches', 30000, async () => {
      assert(bf.running(), `the backfill ended before PostgreSQL was restarted: ${bf.stderr()}`);
      wmAtRestart = watermark(db);
      return { done: wmAtRestart !== null && wmAtRestart >= 20, seen: `watermark ${wmAtRestart}` };
    });
    assert(bf.running(), 'the backfill is still running when PostgreSQL restarts');
    const restartMs = pgRestart();
    const restartedAt = Date.now() - t0;
    const exit = await Promise.race([bf.exited, sleep(120000).then(() => null)]);
    if (!exit) {
      bf.proc.kill('SIGKILL');
      throw new AssertionError(`the backfill neither finished nor exited within 120 s of the restart: ${bf.stderr()}`);
    }
    const ranMs = Date.now() - t0;
    let how;
    if (exit.code === 0) {
      how = 'reconnected';
      assert(/reconnect/i.test(bf.stderr()), `a backfill that survived the restart logs its reconnect: ${bf.stderr()}`);
    } else {
      assert(exit.code !== null, `the backfill was killed by ${exit.signal}: ${bf.stderr()}`);
      const err = lastLine(bf.stderr());
      assert(/database|connection|server|PostgreSQL/i.test(err), `the error says what broke: ${err}`);
      how = `exited ${exit.code}: "${err.slice(0, 200)}"`;
    }
    await verify(db, 'after the PostgreSQL restart');
    const wmAfter = watermark(db);
    assert(wmAfter !== null && wmAfter >= wmAtRestart, `the watermark did not move back: ${wmAtRestart} -> ${wmAfter}`);
    assertEqual(eventsDigest(db, wmAfter), eventsDigest(clean.db, wmAfter), `events up to the watermark ${wmAfter} equal the clean run's`);
    proxy.clear();
    const rerun = await cx.ok(args, { config: cfg, db });
    await verify(db, 'after the rerun');
    assertEqual(eventsDigest(db), clean.events, 'events after the restart and a rerun vs the clean run');
    assertEqual(balancesDigest(db), clean.balances, 'balances after the restart and a rerun vs the clean run');
    const m = await assertMatchesChain(db, 'after the restart and a rerun');
    figures.pg = exit.code === 0 ? 'reconnected' : `exited ${exit.code}`;
    report('postgres_restart_mid_run', `pg_ctl restart -m fast (${restartMs} ms) ${secs(restartedAt)} into a backfill at watermark ${wmAtRestart} of ${H}: ${how} after ${secs(ranMs)}; --verify ok at watermark ${wmAfter}; rerun (${secs(rerun.ms)}) equal to the clean run, ${m}`);
  });
}

async function sigkill_trials() {
  const rng = prng(0x5161 + TRIALS);
  const args = ['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H), '--batch-blocks', '2'];
  // The clean duration of this very command (small batches), and a check that the batch size
  // does not change the result.
  const ref = await freshDatabase();
  const cleanRun = await cx.ok(args, { config: tc.config, db: ref });
  assertEqual(digest(ref), digest(clean.db), 'a clean backfill with --batch-blocks 2 equals the clean run');
  dropDatabaseOf(ref);
  const maxDelay = Math.max(100, cleanRun.ms);
  const tally = { mid: 0, none: 0, all: 0, finished: 0, equal: 0 };
  const delays = [];
  for (let i = 1; i <= TRIALS; i++) {
    const db = await freshDatabase();
    const delay = Math.round(50 + rng.next() * (maxDelay - 50));
    delays.push(delay);
    const bf = cx.background(args, { config: tc.config, db });
    await sleep(delay);
    let killed = false;
    if (bf.running()) {
      bf.proc.kill('SIGKILL');
      killed = true;
    }
    const exit = await bf.exited;
    const wm = watermark(db);
    let where;
    if (!killed || exit.signal !== 'SIGKILL') {
      assertEqual(exit.code, 0, `trial ${i}: the backfill finished before the kill (stderr: ${bf.stderr()})`);
      tally.finished++;
      where = 'finished first';
    } else if (wm === null) {
      tally.none++;
      where = 'before the first commit';
    } else if (wm < H) {
      tally.mid++;
      where = `mid-run at watermark ${wm}`;
    } else {
      tally.all++;
      where = 'after the last commit';
    }
    await verify(db, `trial ${i} right after the kill (${where})`);
    const rerun = await cx.run(args, { config: tc.config, db });
    assertEqual(rerun.code, 0, `trial ${i}: the rerun after a kill ${where} (stderr: ${rerun.stderr.slice(-800)})`);
    await verify(db, `trial ${i} after the rerun`);
    const d = digest(db);
    assertEqual(d, digest(clean.db), `trial ${i} (SIGKILL after ${delay} ms, ${where}): the database after the rerun vs the clean run`);
    tally.equal++;
    dropDatabaseOf(db);
  }
  // Every rerun equals the clean run, which equals balanceOf.
  const m = await assertMatchesChain(clean.db, 'the clean run');
  assert(tally.mid >= Math.ceil(TRIALS / 2), `at least half of the kills landed mid-run: ${JSON.stringify(tally)} (delays ${delays.join(', ')} ms, clean run ${cleanRun.ms} ms)`);
  figures.sigkill = `${tally.equal}/${TRIALS}`;
  report('sigkill_trials', `${TRIALS} trials, SIGKILL after ${Math.min(...delays)}..${Math.max(...delays)} ms (clean run ${cleanRun.ms} ms, ${Math.ceil((H + 1) / 2)} batches): ${tally.mid} mid-run (0 <= watermark < ${H}), ${tally.none} before the first commit, ${tally.all} after the last commit, ${tally.finished} finished first; status --verify ok after every kill and rerun; ${tally.equal}/${TRIALS} reruns equal the clean run (events, balances, block hashes; the clean run: ${m})`);
}

async function lagging_node_is_not_a_reorg() {
  await withProxy(async (proxy) => {
    const db = await freshDatabase();
    await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: tc.config, db });
    const before = digest(db);
    const s0 = await status(db);
    const lagBy = 5;
    proxy.lag(H - lagBy);
    const cfg = config('lagging.toml', proxy.url);
    const r = await cx.run(['scan', '--chain', 'anvil', '--once'], { config: cfg, db });
    assertEqual(r.code, 0, `scan --once against a node ${lagBy} blocks behind the watermark (stderr: ${r.stderr.slice(-800)})`);
    const follower = cx.background(['scan', '--chain', 'anvil', '--follow'], { config: cfg, db });
    await sleep(1500);
    assert(follower.running(), `scan --follow against a lagging node keeps running: ${follower.stderr()}`);
    follower.proc.kill('SIGTERM');
    const fexit = await Promise.race([follower.exited, sleep(20000).then(() => null)]);
    assert(fexit && (fexit.code === 0 || fexit.code === 143), `scan --follow after SIGTERM: ${JSON.stringify(fexit)} ${follower.stderr()}`);
    assert(proxy.stats.methods.eth_blockNumber >= 2, `the lagging head was asked for: ${JSON.stringify(proxy.stats.methods)}`);
    assertEqual(watermark(db), H, 'the watermark stays at the block already indexed');
    assertEqual(sql(db, 'SELECT count(*) FROM reorgs'), '0', 'no unwind, no reorg row');
    assertEqual(digest(db), before, 'events, balances and blocks are unchanged');
    const s1 = await status(db);
    assert(Number(s1.finalized) >= Number(s0.finalized), `the stored finalized height does not move back: ${s0.finalized} -> ${s1.finalized}`);
    report('lagging_node_is_not_a_reorg', `indexed to ${H}; the node then reported head ${H - lagBy} (eth_blockNumber, latest/safe/finalized tags, blocks above it null; ${proxy.stats.methods.eth_blockNumber} head requests): scan --once exit 0, scan --follow 1.5 s then SIGTERM exit ${fexit.code}; watermark still ${H}, 0 reorgs, index unchanged`);
  });
}

/// Two endpoints share a backfill's final blocks; one of them lags half the chain behind and cuts
/// eth_getLogs at its head, as geth does, yet nothing is lost: its spans above its head are fetched
/// again from the first endpoint. Then both are healthy and both serve spans.
async function endpoints_share_and_a_lagging_one_loses_nothing() {
  const first = await startFaultProxy(anvil.url);
  const second = await startFaultProxy(anvil.url);
  try {
    const behindAt = Math.floor(H / 2);
    second.lag(behindAt);
    // Remote endpoints: the fetch, not the database, is the slow side, so spans are shared.
    first.setDelay(40);
    second.setDelay(40);
    // Small spans, so that there are many to share.
    const cfg = config('two-endpoints.toml', [first.url, second.url], 'batch_blocks = 5\nrpc_max_concurrency = 4');
    const db = await freshDatabase();
    const r = await cx.run(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: cfg, db });
    assertEqual(r.code, 0, `backfill over two endpoints, one lagging (stderr: ${r.stderr.slice(-800)})`);
    assertEqual(eventsDigest(db), clean.events, 'events equal the clean run');
    assertEqual(balancesDigest(db), clean.balances, 'balances equal the clean run');
    await assertMatchesChain(db, 'two endpoints, one lagging');
    const asked = second.stats.methods.eth_getLogs || 0;
    assert(asked > 0, `the second endpoint was given spans: ${JSON.stringify(second.stats.methods)}`);
    assert(/failed via .*fetching them via/.test(r.stderr), `the run says it refetched the lagging endpoint's span: ${r.stderr.slice(-600)}`);
    const firstLag = `${asked} span requests to the lagging one`;

    second.lag(null);
    first.stats.methods = {};
    second.stats.methods = {};
    const db2 = await freshDatabase();
    await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: cfg, db: db2 });
    assertEqual(eventsDigest(db2), clean.events, 'events equal the clean run (both healthy)');
    assertEqual(balancesDigest(db2), clean.balances, 'balances equal the clean run (both healthy)');
    const a = first.stats.methods.eth_getLogs || 0;
    const b = second.stats.methods.eth_getLogs || 0;
    assert(a > 0 && b > 0, `both endpoints served spans: ${a} and ${b}`);
    report('endpoints_share_and_a_lagging_one_loses_nothing', `second endpoint ${H - behindAt} blocks behind: exit 0, ${firstLag}, events and balances equal the clean run and balanceOf; both healthy: ${a} and ${b} span requests, equal again`);
  } finally {
    await first.stop();
    await second.stop();
  }
}

/// Replaces blocks fork+1..head with different random transfers (anvil_reorg); returns the new
/// head hash. tc learns the new pairs.
async function reorgChain(depth) {
  const { rpc } = tc.anvil;
  const head = await tc.head();
  const fork = head - depth;
  tc.traffic.restore(tc.snapshots.get(fork));
  tc.chain.resetNonces();
  const plan = [];
  for (let offset = 0; offset < depth; offset++) plan.push(tc.traffic.randomOps(3 + tc.traffic.rng.int(3)));
  const senders = [...new Set(plan.flat().map((t) => t.from))];
  const counts = await rpc.batch(senders.map((a) => ['eth_getTransactionCount', [a, hexQty(fork)]]));
  const nonceAt = new Map(senders.map((a, i) => [a, parseInt(counts[i], 16)]));
  const replacements = [];
  plan.forEach((txs, offset) => {
    txs.forEach((t, i) => {
      const nonce = nonceAt.get(t.from);
      nonceAt.set(t.from, nonce + 1);
      replacements.push([{ from: t.from, to: t.to, data: t.data, gas: hexQty(t.gas), gasPrice: hexQty(200n * 10n ** 9n + BigInt(txs.length - i)), nonce: hexQty(nonce) }, offset]);
    });
  });
  await rpc.call('anvil_reorg', [depth, replacements]);
  for (let offset = 0; offset < depth; offset++) {
    const n = fork + 1 + offset;
    const b = await rpc.call('eth_getBlockByNumber', [hexQty(n), false]);
    if (b.transactions.length !== plan[offset].length) throw new Error(`anvil_reorg: block ${n} has ${b.transactions.length} txs, ${plan[offset].length} sent`);
    const receipts = await rpc.batch(b.transactions.map((h) => ['eth_getTransactionReceipt', [h]]));
    receipts.forEach((rc, i) => { if (rc.status !== '0x1') throw new Error(`anvil_reorg: replacement tx ${i} of block ${n} reverted`); });
    tc.learn(receipts);
    tc.snapshots.set(n, null);
  }
  tc.snapshots.set(head, tc.traffic.snapshot());
  return { fork, head, hash: (await tc.chain.block(head)).hash, txs: replacements.length };
}

async function reorg_mid_range() {
  await withProxy(async (proxy) => {
    const db = await freshDatabase();
    const start = H - 12;
    await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(start)], { config: tc.config, db });
    const depth = 6;
    const oldHash = (await tc.chain.block(H)).hash;
    let fired = null;
    // Just before the request for the span that ends at the head (its logs and headers): the
    // spans before it come from the old branch, this one from the new.
    proxy.onRequest(async (msg, method) => {
      if (fired || method !== 'eth_getLogs' || !Array.isArray(msg)) return;
      const nums = msg.filter((m) => m.method === 'eth_getBlockByNumber').map((m) => parseInt(m.params[0], 16));
      if (nums.includes(H)) fired = await reorgChain(depth);
    });
    const cfg = config('reorg.toml', proxy.url, 'batch_blocks = 4\n');
    const follower = cx.background(['scan', '--chain', 'anvil', '--follow'], { config: cfg, db });
    try {
      await waitFor(`scan --follow to index the new branch up to ${H}`, 60000, async () => {
        assert(follower.running(), `scan --follow exited: ${follower.stderr()}`);
        const wm = watermark(db);
        const hash = wm === H ? sql(db, `SELECT '0x' || encode(hash, 'hex') FROM blocks WHERE chain = 'anvil' AND number = ${H}`) : null;
        return { done: fired && hash === fired.hash, seen: `watermark ${wm}, hash ${hash}, reorg ${fired ? 'done' : 'not yet'}` };
      });
    } finally {
      follower.proc.kill('SIGTERM');
    }
    const exit = await Promise.race([follower.exited, sleep(20000).then(() => null)]);
    assert(exit && (exit.code === 0 || exit.code === 143), `scan --follow after SIGTERM: ${JSON.stringify(exit)}`);
    assert(fired.hash !== oldHash, 'anvil_reorg replaced the head block');
    const refetched = /chain moved during the fetch/.test(follower.stderr());
    const reorgs = sql(db, "SELECT count(*) || ' ' || coalesce(max(depth), 0) FROM reorgs WHERE chain = 'anvil' AND kind = 'reorg'").split(' ').map(Number);
    assert(reorgs[0] >= 1, `a reorg row exists: ${sql(db, 'SELECT * FROM reorgs')}\n${follower.stderr()}`);
    await verify(db, 'after the reorg');
    const m = await assertMatchesChain(db, 'after the reorg');
    // A clean backfill of the new branch gives the same index.
    const fresh = await freshDatabase();
    await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: tc.config, db: fresh });
    assertEqual(eventsDigest(db), eventsDigest(fresh), 'events after the reorg vs a clean backfill of the new branch');
    assertEqual(balancesDigest(db), balancesDigest(fresh), 'balances after the reorg vs a clean backfill of the new branch');
    report('reorg_mid_range', `scan --follow from ${start + 1}, batch_blocks 4; anvil_reorg ${depth} deep (${fired.txs} new txs) just before the span ending at ${H} was fetched: ${refetched ? 'the range was refetched (its spans did not link), ' : ''}${reorgs[0]} reorg row(s), depth ${reorgs[1]}; ${m} on the new branch, same index as a clean backfill of it`);
  });
}

const SCENARIOS = [every_fault_kind_recovers, wrong_chain_id_refused, persistent_outage_exits_cleanly, secrets_never_printed,
  postgres_restart_mid_run, sigkill_trials, lagging_node_is_not_a_reorg,
  endpoints_share_and_a_lagging_one_loses_nothing, reorg_mid_range]; // last: it reorganises the shared chain

async function main() {
  const wanted = process.argv.slice(2);
  for (const w of wanted) {
    if (!SCENARIOS.some((s) => s.name === w)) {
      console.error(`fault-e2e: unknown scenario ${w}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
      process.exit(2);
    }
  }
  const chosen = SCENARIOS.filter((s) => !wanted.length || wanted.includes(s.name));
  const t0 = Date.now();
  let passed = 0;
  let failed = 0;
  try {
    cx.binary();
    anvil = await startAnvil({ t0: DEFAULT_T0 + 3000000 });
    tc = await TestChain.create(anvil, { seed: 0xfa17, blocks: 300, minOps: 2, maxOps: 6 });
    tc.config = config('direct.toml', anvil.url);
    H = await tc.head();
    const db = await freshDatabase();
    await cx.ok(['backfill', '--chain', 'anvil', '--from', '0', '--to', String(H)], { config: tc.config, db });
    clean = { db, events: eventsDigest(db), balances: balancesDigest(db) };
    const m = await assertMatchesChain(db, 'the clean run');
    say(`chain ${anvil.url}: ${H + 1} blocks, ${tc.counts.erc20Logs} ERC-20 Transfer logs; clean run: events ${clean.events}, ${m} (${secs(Date.now() - t0)})`);
  } catch (e) {
    console.error(`fault-e2e: cannot start: ${e.stack || e.message}`);
    console.log(`fault-e2e: 0 passed, ${chosen.length} failed`);
    process.exit(1);
  }
  for (const scenario of chosen) {
    const t = Date.now();
    console.log(`fault-e2e: ${scenario.name} …`);
    try {
      await scenario();
      passed++;
      console.log(`fault-e2e: PASS ${scenario.name} (${secs(Date.now() - t)})`);
    } catch (e) {
      failed++;
      console.log(`fault-e2e: FAIL ${scenario.name} (${secs(Date.now() - t)})`);
      console.error(`fault-e2e: ${scenario.name}: ${e instanceof AssertionError ? 'assertion failed: ' + e.message : e.stack || e.message}`);
      break;
    }
  }
  await anvil.stop();
  if (!failed) {
    for (const name of [...databases]) dropDatabase(name);
    fs.rmSync(work, { recursive: true, force: true });
  } else {
    console.error(`fault-e2e: work files kept in ${work}; databases ${databases.join(', ')}`);
  }
  const parts = [`injected ${KINDS.map((k) => `${k}×${injected[k]}`).join(' ')}`];
  if (figures.sigkill) parts.push(`${figures.sigkill} SIGKILL trials equal`);
  if (figures.pg) parts.push(`pg restart: ${figures.pg === 'skipped' ? 'skipped' : figures.pg + ', then --verify ok and rerun equal'}`);
  console.log(`fault-e2e: ${parts.join('; ')} (${secs(Date.now() - t0)})`);
  console.log(`fault-e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`fault-e2e: internal error: ${e.stack || e.message}`);
  console.log('fault-e2e: 0 passed, 1 failed');
  process.exit(1);
});
