#!/usr/bin/env node
'use strict';
// End-to-end test of dead letters on a local anvil chain: a token whose Transfer event is not an
// ERC-20 Transfer (no indexed parameters) stops the chain at its block with a dead letter; then
// `dlq list/show/retry`, `--quarantine-token` (the chain goes on, the token untrusted) and
// `dlq discard` (the chain goes on past the item) — with every other balance equal to balanceOf.
//
//   CHAINIDX_BIN, CHAINIDX_DATABASE_URL (its role must have CREATEDB) as for ops-e2e.js.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startAnvil, DEFAULT_T0 } = require('./lib/anvil');
const { Chain } = require('./lib/chain');
const { writeConfig } = require('./lib/config');
const cx = require('./lib/chainidx');
const dbs = require('./lib/db');
const { sql } = dbs;
const { AssertionError, assert, assertEqual, say } = require('./lib/assert');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chainidx-dlq-'));

const freshDatabase = (config) => dbs.freshDatabase('dlq', config);

async function main() {
  const anvil = await startAnvil({ t0: DEFAULT_T0 + 3000000 });
  try {
    const chain = new Chain(anvil.rpc, { t0: anvil.t0 });
    const [alice, bob, carol] = await chain.accounts();
    const [good, bad] = await chain.deploy([
      { name: 'Token18', args: [10n ** 24n] },
      { name: 'UnindexedTransferToken', args: [10n ** 24n] },
    ], alice);
    await chain.sendBlock([chain.transferTx(good, alice, bob, 1000n)]);
    const stopBlock = (await chain.sendBlock([
      chain.transferTx(good, alice, carol, 2000n),
      chain.transferTx(bad, alice, bob, 500n), // its Transfer log cannot be read
      chain.transferTx(good, bob, carol, 300n),
    ])).number;
    const head = (await chain.sendBlock([chain.transferTx(good, carol, bob, 50n)])).number;
    const config = writeConfig(work, { name: 'anvil', rpcUrl: anvil.url });
    const opts = (db) => ({ config, db });
    const backfill = ['backfill', '--chain', 'anvil', '--from', '0', '--to', String(head)];

    // 1. By default the chain stops at the block, commits what is below, and says what to do.
    const db = await freshDatabase(config);
    const prom = path.join(work, 'dlq.prom');
    const stopped = await cx.run(['--metrics-file', prom, ...backfill], opts(db));
    assertEqual(stopped.code, 4, `backfill over an unreadable Transfer log exits 4 (${cx.tail(stopped.stderr, 400)})`);
    for (const needle of [`stopped at block ${stopBlock}`, 'Dead letter #', 'chainidx dlq show', `--quarantine-token ${bad}`, 'chainidx dlq discard'])
      assert(stopped.stderr.includes(needle), `the error says "${needle}": ${cx.tail(stopped.stderr, 600)}`);
    const promText = fs.readFileSync(prom, 'utf8');
    assert(/^chainidx_dead_letters_total\{chain="anvil",status="open",command="backfill"\} 1$/m.test(promText), `--metrics-file counts the dead letter:\n${promText}`);
    assert(/^chainidx_dead_letters_open\{chain="anvil",command="backfill"\} 1$/m.test(promText), '--metrics-file: chainidx_dead_letters_open is 1 (the alert rule ChainidxDeadLetterOpen reads it)');
    let s = await cx.json(['status', '--chain', 'anvil', '--output', 'json'], opts(db));
    assertEqual(s.watermark, stopBlock - 1, 'watermark just below the stopping block');
    assertEqual(s.dead_letters_open, 1, 'status: open dead letters');
    const check = await cx.run(['status', '--chain', 'anvil', '--check'], opts(db));
    assertEqual(check.code, 5, 'status --check fails while a dead letter is open');
    assert(/dead letter/.test(check.stderr), `status --check says why: ${check.stderr}`);
    let list = await cx.json(['dlq', 'list', '--chain', 'anvil', '--output', 'json'], opts(db));
    assertEqual(list.length, 1, 'dlq list: one open dead letter');
    const id = list[0].id;
    assertEqual(list[0].block, stopBlock, 'dead letter block');
    assertEqual(list[0].token, bad, 'dead letter token');
    const shown = await cx.json(['dlq', 'show', String(id), '--output', 'json'], opts(db));
    const payload = JSON.parse(shown.payload);
    assertEqual(payload.topics.length, 1, 'the payload is the raw log (1 topic)');
    assertEqual(payload.data.length, 2 + 3 * 64, 'the payload keeps the 96 bytes of data');
    say(`stopped at block ${stopBlock} with dead letter #${id}: ${shown.error}`);
    // Retry: the item still cannot be read. Running again stops at the same place, one row.
    const retry = await cx.run(['dlq', 'retry', String(id)], opts(db));
    assertEqual(retry.code, 4, 'dlq retry of an item that still cannot be normalized exits 4');
    assertEqual((await cx.run(backfill, opts(db))).code, 4, 'a second backfill stops again');
    assertEqual(sql(db, 'SELECT count(*) FROM dead_letters'), '1', 'still one dead letter row');

    // 2. Quarantine: the chain goes on; the token's items are kept aside, its balances untrusted.
    await cx.ok([...backfill, '--quarantine-token', bad], opts(db));
    s = await cx.json(['status', '--chain', 'anvil', '--output', 'json'], opts(db));
    assertEqual(s.watermark, head, 'watermark at the head after quarantining the token');
    assertEqual(s.dead_letters_open, 0, 'no open dead letters');
    assertEqual(s.quarantined_tokens.map((q) => q.token).join(), bad, 'status lists the quarantined token');
    await cx.ok(['status', '--chain', 'anvil', '--check'], opts(db));
    list = await cx.json(['dlq', 'list', '--status', 'quarantined', '--output', 'json'], opts(db));
    assertEqual(list.length, 1, 'the dead letter is now quarantined');
    const rows = await cx.json(['balances', '--chain', 'anvil', '--output', 'json'], opts(db));
    for (const r of rows) assertEqual(r.trusted, r.token !== bad, `balances: trusted flag of ${r.token}`);
    const goodRows = rows.filter((r) => r.token === good);
    const onChain = await chain.balancesOf(goodRows.map((r) => [good, r.account]), head);
    goodRows.forEach((r, i) => assertEqual(BigInt(r.amount), onChain[i], `balance of ${r.account} vs balanceOf`));
    say(`--quarantine-token: indexed to ${head}; ${goodRows.length} balances of the good token equal balanceOf`);

    // 3. Discard: on a fresh database, skipping the item lets the chain go on.
    const db2 = await freshDatabase(config);
    assertEqual((await cx.run(backfill, opts(db2))).code, 4, 'fresh database: stops again');
    const id2 = (await cx.json(['dlq', 'list', '--output', 'json'], opts(db2)))[0].id;
    await cx.ok(['dlq', 'discard', String(id2), '--reason', 'e2e: not an ERC-20'], opts(db2));
    await cx.ok(backfill, opts(db2));
    s = await cx.json(['status', '--chain', 'anvil', '--output', 'json'], opts(db2));
    assertEqual(s.watermark, head, 'watermark at the head after discarding');
    assertEqual((await cx.json(['dlq', 'list', '--status', 'discarded', '--output', 'json'], opts(db2))).length, 1, 'one discarded dead letter');
    const missing = await cx.run(['dlq', 'show', '999999'], opts(db2));
    assertEqual(missing.code, 2, 'dlq show of an unknown id exits 2');
    say('dlq discard: the chain goes on past the item');
    console.log('dlq-e2e: 1 passed, 0 failed');
  } finally {
    await anvil.stop();
  }
}

main().then(() => fs.rmSync(work, { recursive: true, force: true })).catch((e) => {
  console.error(`dlq-e2e: ${e instanceof AssertionError ? 'assertion failed: ' + e.message : e.stack || e.message}`);
  console.error(`dlq-e2e: work files kept in ${work}`);
  console.log('dlq-e2e: 0 passed, 1 failed');
  process.exit(1);
});
