#!/usr/bin/env node
'use strict';
// Self-test of the fake chains: starts server.js for each family (as a child process, the way
// tests use it), calls every method, injects every fault, switches branches and moves the tip,
// and checks the answers against expected.js (and expected.js against the node).
//
//   node tests/fakechain/selftest.js        exit 0 when everything holds
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { bitcoinBalances, solanaBalances, bitcoinOwner } = require('./expected');
const { buildBitcoinChain } = require('./btc-chain');
const { buildSolanaChain } = require('./sol-chain');
const { parseBtcText, dsha256, FIXTURES } = require('./util');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fakechain-selftest-'));
const children = [];
let checks = 0;

function ok(cond, msg) {
  if (!cond) throw new Error(`FAILED: ${msg}`);
  checks++;
}
function eq(a, b, msg) { ok(a === b, `${msg}: got ${String(a)}, want ${String(b)}`); }
const say = (msg) => console.log(`selftest: ${msg}`);

// ---- plumbing ----------------------------------------------------------------------------------

async function startServer(family, flags = []) {
  const portFile = path.join(work, `port-${family}-${children.length}`);
  const proc = spawn(process.execPath, [path.join(__dirname, 'server.js'), '--family', family, '--port-file', portFile, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(proc);
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const t0 = Date.now();
  while (!fs.existsSync(portFile)) {
    if (proc.exitCode !== null || Date.now() - t0 > 10000) throw new Error(`server ${family} did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = `http://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}`;
  return { url, proc, stderr: () => stderr };
}

async function post(url, body, timeoutMs = 10000) {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

async function control(node, op) {
  const r = await post(`${node.url}/control`, op);
  const j = JSON.parse(r.text);
  ok(j.ok === true, `control ${JSON.stringify(op)}: ${r.text}`);
  return j;
}

/// Parses a Bitcoin answer keeping BTC amounts exact (as satoshi BigInts), after checking that
/// every amount is written with exactly 8 decimals, as Bitcoin Core writes them.
function parseBtc(text) {
  const re = /"(value|amount|total_amount|fee)":(-?[0-9][0-9.eE+-]*)/g;
  for (const m of text.matchAll(re)) ok(/^-?\d+\.\d{8}$/.test(m[2]), `amount ${m[0]} has 8 decimals`);
  return JSON.parse(text.replace(re, '"$1":"\\u0000$2"'), (k, v) => (typeof v === 'string' && v.startsWith('\u0000') ? parseBtcText(v.slice(1)) : v));
}

let nextId = 1;
async function btc(node, method, params = [], jsonrpc = '1.0') {
  const r = await post(node.url, { jsonrpc, id: nextId++, method, params });
  const j = parseBtc(r.text);
  return { ...j, status: r.status };
}
async function btcOk(node, method, params) {
  const j = await btc(node, method, params);
  ok(j.error === null && j.status === 200, `${method}(${JSON.stringify(params)}): ${JSON.stringify(j.error)}`);
  return j.result;
}
async function sol(node, method, params = []) {
  const r = await post(node.url, { jsonrpc: '2.0', id: nextId++, method, params });
  eq(r.status, 200, `solana ${method} HTTP status`);
  return JSON.parse(r.text);
}
async function solOk(node, method, params) {
  const j = await sol(node, method, params);
  ok(j.error === undefined, `${method}(${JSON.stringify(params)}): ${JSON.stringify(j.error)}`);
  return j.result;
}
async function solErr(node, method, params, code, what) {
  const j = await sol(node, method, params);
  ok(j.error && j.error.code === code, `${what}: want error ${code}, got ${JSON.stringify(j.error || j.result).slice(0, 200)}`);
  return j.error;
}

// ---- Bitcoin -----------------------------------------------------------------------------------

const sum = (xs) => xs.reduce((a, b) => a + b, 0n);

/// Every owner key of a branch, with a descriptor that scantxoutset can match it by.
function descriptorsFor(branch) {
  const byOwner = new Map();
  for (const b of buildBitcoinChain().branches[branch]) {
    for (const tx of b.tx) {
      for (const v of tx.vout) {
        const o = bitcoinOwner(v.scriptPubKey);
        if (!byOwner.has(o)) byOwner.set(o, o.startsWith('script:') ? `raw(${v.scriptPubKey.hex})` : `addr(${o})`);
      }
    }
  }
  return byOwner;
}

async function checkScan(node, branch, height) {
  const want = bitcoinBalances(branch, height).balances;
  const descs = descriptorsFor(branch);
  const owners = [...descs.keys()];
  // One batch, one scantxoutset per owner: each total equals expected.js for that owner.
  const r = await post(node.url, owners.map((o, i) => ({ jsonrpc: '1.0', id: i, method: 'scantxoutset', params: ['start', [descs.get(o)]] })));
  const answers = parseBtc(r.text);
  eq(answers.length, owners.length, 'batch answer count');
  let nonZero = 0;
  for (const a of answers) {
    const o = owners[a.id];
    ok(a.error === null, `scantxoutset ${o}: ${JSON.stringify(a.error)}`);
    eq(a.result.total_amount, BigInt(want[o] || 0), `${branch} h${height}: scantxoutset total of ${o} vs expected.js`);
    eq(a.result.total_amount, sum(a.result.unspents.map((u) => u.amount)), `scantxoutset ${o}: total = sum of unspents`);
    eq(a.result.height, height, 'scantxoutset height');
    if (a.result.total_amount !== 0n) nonZero++;
  }
  eq(nonZero, Object.keys(want).length, `${branch} h${height}: owners with a balance`);
  // All of them at once: the whole (spendable) UTXO set equals the sum of expected balances.
  const all = await btcOk(node, 'scantxoutset', ['start', owners.map((o) => ({ desc: descs.get(o) }))]);
  eq(all.total_amount, sum(Object.values(want).map(BigInt)), `${branch} h${height}: UTXO total vs sum of expected.js`);
  eq(all.unspents.length, all.txouts - 0, `${branch} h${height}: every UTXO belongs to some owner`);
  return all.total_amount;
}

async function checkBlocks(node, branch) {
  const blocks = buildBitcoinChain().branches[branch];
  const tip = blocks.length - 1;
  const etl = new Map(); // txid -> bitcoin-etl's expected row
  for (const dir of ['mainnet-block-0', 'mainnet-block-1', 'mainnet-block-50000', 'mainnet-blocks-50001-50002']) {
    for (const line of fs.readFileSync(path.join(FIXTURES, 'btc/bitcoin-etl', dir, 'expected_transactions.json'), 'utf8').split('\n')) {
      if (line.trim()) { const t = JSON.parse(line); etl.set(t.hash, t); }
    }
  }
  let etlChecked = 0;
  let prevouts = 0;
  const v2cache = new Map();
  const v2 = async (hash) => { if (!v2cache.has(hash)) v2cache.set(hash, await btcOk(node, 'getblock', [hash, 2])); return v2cache.get(hash); };
  for (let h = 0; h <= tip; h++) {
    const hash = await btcOk(node, 'getblockhash', [h]);
    eq(hash, blocks[h].hash, `${branch} getblockhash(${h})`);
    const hd = await btcOk(node, 'getblockheader', [hash]);
    eq(hd.height, h, 'header height');
    eq(hd.confirmations, tip - h + 1, 'header confirmations');
    eq(hd.previousblockhash, h ? blocks[h - 1].hash : undefined, 'header previousblockhash');
    eq(hd.nextblockhash, h < tip ? blocks[h + 1].hash : undefined, 'header nextblockhash');
    const v1 = await btcOk(node, 'getblock', [hash, 1]);
    eq(v1.tx.join(), blocks[h].tx.map((t) => t.txid).join(), 'verbosity 1 txids');
    eq(v1.nTx, v1.tx.length, 'nTx');
    const b2 = await v2(hash);
    ok(b2.tx.every((t) => t.vin.every((i) => i.prevout === undefined)), 'verbosity 2 has no prevout');
    const v3 = await btcOk(node, 'getblock', [hash, 3]);
    for (const tx of v3.tx) {
      const outSum = sum(tx.vout.map((v) => v.value));
      if (tx.vin[0].coinbase !== undefined) { ok(tx.fee === undefined, 'coinbase has no fee'); continue; }
      for (const vin of tx.vin) {
        const p = vin.prevout;
        ok(p && typeof p.generated === 'boolean' && p.height <= h && typeof p.scriptPubKey.desc === 'string', `prevout of ${tx.txid}`);
        const src = (await v2(blocks[p.height].hash)).tx.find((t) => t.txid === vin.txid);
        eq(src.vout.find((v) => v.n === vin.vout).value, p.value, 'prevout value = the spent output');
        prevouts++;
      }
      const inSum = sum(tx.vin.map((i) => i.prevout.value));
      eq(tx.fee, inSum - outSum, `fee of ${tx.txid}`);
      const e = etl.get(tx.txid);
      if (e) {
        eq(inSum, BigInt(e.input_value), `bitcoin-etl input_value of ${tx.txid}`);
        eq(tx.fee, BigInt(e.fee), `bitcoin-etl fee of ${tx.txid}`);
        tx.vin.forEach((vin, k) => eq(vin.prevout.value, BigInt(e.inputs[k].value), 'bitcoin-etl input value'));
      }
    }
    for (const tx of b2.tx) {
      const e = etl.get(tx.txid);
      if (!e || e.block_hash !== hash) continue;
      eq(sum(tx.vout.map((v) => v.value)), BigInt(e.output_value), `bitcoin-etl output_value of ${tx.txid}`);
      etlChecked++;
    }
  }
  return { etlChecked, prevouts };
}

async function testBitcoin() {
  const chain = buildBitcoinChain();
  const [main, fork] = [chain.branches.main, chain.branches.fork];
  const node = await startServer('bitcoin');

  const info = await btcOk(node, 'getblockchaininfo', []);
  eq(info.chain, 'main', 'chain');
  eq(info.blocks, 7, 'blocks');
  eq(info.bestblockhash, main[7].hash, 'bestblockhash');
  eq(await btcOk(node, 'getblockcount', []), 7, 'getblockcount');
  let e = await btc(node, 'getblockhash', [8]);
  ok(e.error.code === -8 && e.error.message === 'Block height out of range' && e.status === 500, 'getblockhash past the tip: -8, HTTP 500 for JSON-RPC 1.0');
  e = await btc(node, 'getblockhash', [8], '2.0');
  ok(e.error.code === -8 && e.status === 200 && e.jsonrpc === '2.0', 'getblockhash past the tip: HTTP 200 for JSON-RPC 2.0');
  e = await btc(node, 'getblockheader', ['00'.repeat(32)]);
  eq(e.error.code, -5, 'getblockheader of an unknown hash');
  e = await btc(node, 'nosuchmethod', []);
  ok(e.error.code === -32601 && e.status === 404, 'unknown method: -32601, HTTP 404');
  // The serialized header of h0 and h1 (whose real parents are the fake parents) hashes to the block hash.
  for (const h of [0, 1]) {
    const hex = await btcOk(node, 'getblockheader', [main[h].hash, false]);
    eq(Buffer.from(dsha256(Buffer.from(hex, 'hex'))).reverse().toString('hex'), main[h].hash, `header hex of h${h} hashes to its hash`);
  }
  const m = await checkBlocks(node, 'main');
  say(`bitcoin main: getblockhash/getblockheader/getblock 1,2,3 on h0..h7; ${m.prevouts} prevouts resolved, fees computed; ${m.etlChecked} txs agree with bitcoin-etl's expected values, input values and fees`);

  // Old node: verbosity 3 answers like verbosity 2.
  const old = await startServer('bitcoin', ['--no-prevout']);
  const v3old = await btcOk(old, 'getblock', [main[4].hash, 3]);
  ok(v3old.tx[1].vin.every((i) => i.prevout === undefined) && v3old.tx[1].fee === undefined, '--no-prevout: verbosity 3 has no prevout');
  say('bitcoin --no-prevout: getblock verbosity 3 returns the verbosity 2 shape');

  // Balances: scantxoutset of every owner equals expected.js, at the tip and at a lower tip.
  const totalMain = await checkScan(node, 'main', 7);
  await control(node, { op: 'tip', height: 5 });
  eq(await btcOk(node, 'getblockcount', []), 5, 'tip 5: getblockcount');
  eq((await btc(node, 'getblockhash', [6])).error.code, -8, 'tip 5: getblockhash(6)');
  await checkScan(node, 'main', 5);
  await control(node, { op: 'tip' });
  const gm = bitcoinBalances('main').balances['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'];
  say(`bitcoin main: scantxoutset per owner (batch of ${descriptorsFor('main').size}) = expected.js at h7 and h5; UTXO total ${totalMain} sat = sum of expected`);

  // Reorg to the fork.
  const st = await control(node, { op: 'branch', name: 'fork' });
  eq(st.height, 8, 'fork tip');
  eq(await btcOk(node, 'getblockcount', []), 8, 'fork getblockcount');
  const stale = await btcOk(node, 'getblockheader', [main[6].hash]);
  ok(stale.confirmations === -1 && stale.nextblockhash === undefined, 'old main h6 is stale: confirmations -1');
  eq((await btcOk(node, 'getblockheader', [main[5].hash])).nextblockhash, fork[6].hash, 'h5 now links to the fork h6');
  const f = await checkBlocks(node, 'fork');
  const totalFork = await checkScan(node, 'fork', 8);
  const gf = bitcoinBalances('fork').balances['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'];
  eq(BigInt(gf) - BigInt(gm), 1999000000n, 'genesis address: fork h6 pays it 50 BTC, h8 spends that and returns 19.99');
  eq(totalFork - totalMain, 5000000000n, 'fork UTXO total = main + 50 BTC (h6 50 + h8 50.01 - 91880 50 - 0.01 fee)');
  say(`bitcoin fork: reorg served (old h6 stale), blocks h0..h8 checked (${f.prevouts} prevouts), scantxoutset = expected.js; genesis address ${gm} -> ${gf} sat`);
  await control(node, { op: 'branch', name: 'main' });
  eq(await btcOk(node, 'getblockcount', []), 7, 'back to main');

  await testFaults(node, 'bitcoin', { method: 'getblockcount', params: [] }, { method: 'getbestblockhash', params: [] });
  await control(node, { op: 'fault', kind: 'wrong_chain', count: 1 });
  eq((await btcOk(node, 'getblockchaininfo', [])).chain, 'test', 'wrong_chain: chain');
  eq((await btcOk(node, 'getblockchaininfo', [])).chain, 'test', 'wrong_chain lasts until cleared');
  eq(await btcOk(node, 'getblockhash', [0]), '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943', 'wrong_chain: testnet genesis');
  await control(node, { op: 'clear' });
  eq((await btcOk(node, 'getblockchaininfo', [])).chain, 'main', 'clear ends wrong_chain');
  ok(/fault wrong_chain/.test(node.stderr()), 'wrong_chain logged');
  say('bitcoin: wrong_chain (chain "test", testnet genesis) until cleared');
}

// ---- faults (both families) -----------------------------------------------------------------------

async function testFaults(node, family, a, b) {
  const body = (x) => ({ jsonrpc: family === 'solana' ? '2.0' : '1.0', id: 7, method: x.method, params: x.params });
  const normal = await post(node.url, body(a));
  eq(normal.status, 200, 'normal answer');
  const before = (await control(node, { op: 'stats' }));

  await control(node, { op: 'fault', kind: '429', count: 2 });
  for (let i = 0; i < 2; i++) {
    const r = await post(node.url, body(a));
    ok(r.status === 429 && r.headers.get('retry-after') === '1', '429 with Retry-After: 1');
  }
  eq((await post(node.url, body(a))).status, 200, 'after 2 × 429: answered');

  await control(node, { op: 'fault', kind: '500' });
  eq((await post(node.url, body(a))).status, 500, 'fault 500');

  await control(node, { op: 'fault', kind: 'reset' });
  let threw = false;
  try { await post(node.url, body(a)); } catch (_) { threw = true; }
  ok(threw, 'reset: the connection is dropped without an answer');

  await control(node, { op: 'fault', kind: 'hang' });
  const t0 = Date.now();
  threw = false;
  try { await post(node.url, body(a), 400); } catch (e) { threw = e.name === 'TimeoutError'; }
  ok(threw && Date.now() - t0 >= 390, 'hang: no answer, the client timeout fires');

  await control(node, { op: 'fault', kind: 'truncate' });
  const tr = await post(node.url, body(a));
  ok(tr.status === 200 && Number(tr.headers.get('content-length')) === Buffer.byteLength(tr.text), 'truncate: Content-Length of the cut body');
  ok(normal.text.startsWith(tr.text) && tr.text.length === Math.floor(normal.text.length / 2), 'truncate: the first half of a valid answer');
  threw = false;
  try { JSON.parse(tr.text); } catch (_) { threw = true; }
  ok(threw, 'truncate: not parseable');

  await control(node, { op: 'fault', kind: 'malformed' });
  const mf = await post(node.url, body(a));
  ok(mf.status === 200 && mf.text === '{"jsonrpc":"2.0","result":{', 'malformed body');

  // Only for one method; others pass.
  await control(node, { op: 'fault', kind: '500', count: 1, method: b.method });
  eq((await post(node.url, body(a))).status, 200, 'a method-specific fault skips other methods');
  eq((await post(node.url, body(b))).status, 500, 'a method-specific fault hits its method');

  // A batch is one request: one fault for the whole batch.
  await control(node, { op: 'fault', kind: '500', count: 1 });
  eq((await post(node.url, [body(a), body(b), body(a)])).status, 500, 'a batch takes one fault');
  const okBatch = await post(node.url, [body(a), body(b)]);
  ok(okBatch.status === 200 && JSON.parse(okBatch.text).length === 2, 'the next batch is answered');

  await control(node, { op: 'fault', kind: '429', count: 5 });
  await control(node, { op: 'clear' });
  eq((await post(node.url, body(a))).status, 200, 'clear drops queued faults');

  const s = await control(node, { op: 'stats' });
  const kinds = s.faults_injected.slice(before.faults_injected.length).map((f) => f.kind);
  eq(kinds.join(), '429,429,500,reset,hang,truncate,malformed,500,500', 'stats: faults injected in order');
  eq(s.requests - before.requests, 13, 'stats: HTTP requests counted (a batch counts once)');
  ok(s.by_method[a.method] > 0 && s.by_method[b.method] > 0, 'stats: by_method');
  ok((node.stderr().match(/fault /g) || []).length >= 9, 'each fault logged to stderr');
  say(`${family}: faults 429 (Retry-After), 500, reset, hang, truncate, malformed, per-method, batch = one request, clear, stats`);
}

// ---- Solana ------------------------------------------------------------------------------------

async function checkSolBalances(node, branch, slot, commitment) {
  const want = solanaBalances(branch, slot);
  const chain = buildSolanaChain();
  const accounts = new Set();
  const owners = new Map(); // owner -> Set of mints, from every token entry with an owner
  for (const e of chain.branches[branch]) {
    if (e.skipped) continue;
    for (const tx of e.block.transactions) {
      chain.accountKeys(tx).forEach((k) => accounts.add(k));
      for (const t of [...(tx.meta.preTokenBalances || []), ...(tx.meta.postTokenBalances || [])]) {
        if (t.owner) { if (!owners.has(t.owner)) owners.set(t.owner, new Set()); owners.get(t.owner).add(t.mint); }
      }
    }
    for (const r of e.block.rewards || []) accounts.add(r.pubkey);
  }
  const list = [...accounts];
  const r = await post(node.url, list.map((k, i) => ({ jsonrpc: '2.0', id: i, method: 'getBalance', params: [k, { commitment }] })));
  for (const a of JSON.parse(r.text)) {
    eq(a.result.context.slot, slot, 'getBalance context slot');
    eq(String(a.result.value), want.sol[list[a.id]] || '0', `${branch} @${slot}: getBalance(${list[a.id]}) vs expected.js`);
  }
  eq(Object.keys(want.sol).filter((k) => !accounts.has(k)).length, 0, 'every expected account was checked');
  // SPL: per owner and mint, the sum over the owner's token accounts equals expected.js.
  let splChecked = 0;
  for (const [owner, mints] of owners) {
    const byProgram = await solOk(node, 'getTokenAccountsByOwner', [owner, { programId: 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA' }, { encoding: 'jsonParsed', commitment }]);
    for (const mint of mints) {
      const res = await solOk(node, 'getTokenAccountsByOwner', [owner, { mint }, { encoding: 'jsonParsed', commitment }]);
      const total = sum(res.value.map((v) => BigInt(v.account.data.parsed.info.tokenAmount.amount)));
      eq(total.toString(), want.spl[`${owner}|${mint}`] || '0', `${branch} @${slot}: tokens of ${owner} in ${mint}`);
      ok(res.value.every((v) => v.account.data.parsed.info.owner === owner && v.account.data.parsed.info.mint === mint && v.account.owner === 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'), 'token account shape');
      ok(res.value.every((v) => byProgram.value.some((x) => x.pubkey === v.pubkey)), 'programId filter includes the mint filter');
      splChecked++;
    }
  }
  // Keys without an owner are token accounts (old blocks): not findable by owner, by design.
  const ownerless = Object.keys(want.spl).filter((k) => !owners.has(k.split('|')[0]));
  ok(ownerless.every((k) => accounts.has(k.split('|')[0])), 'owner-less SPL keys are token account addresses');
  return { accounts: list.length, splChecked, ownerless: ownerless.length, want };
}

async function testSolana() {
  const chain = buildSolanaChain();
  const node = await startServer('solana');
  const C = { commitment: 'confirmed' };
  const F = { commitment: 'finalized' };

  eq(await solOk(node, 'getGenesisHash'), chain.genesisHash, 'getGenesisHash');
  ok(typeof (await solOk(node, 'getVersion'))['solana-core'] === 'string', 'getVersion');
  eq(await solOk(node, 'getSlot', [C]), 1006, 'getSlot confirmed');
  eq(await solOk(node, 'getSlot', [{ commitment: 'processed' }]), 1006, 'getSlot processed');
  eq(await solOk(node, 'getSlot', [F]), 1004, 'getSlot finalized = tip - 2');
  eq(await solOk(node, 'getSlot'), 1004, 'getSlot without commitment = finalized, like a real node');
  await control(node, { op: 'finalized_lag', lag: 0 });
  eq(await solOk(node, 'getSlot', [F]), 1006, 'finalized_lag 0');
  await control(node, { op: 'finalized_lag', lag: 2 });
  eq(await solOk(node, 'getBlockHeight', [C]), 904, 'getBlockHeight');
  eq((await solOk(node, 'getBlocks', [1000, C])).join(), '1000,1002,1003,1004,1006', 'getBlocks(1000) confirmed');
  eq((await solOk(node, 'getBlocks', [1000, 1003, C])).join(), '1000,1002,1003', 'getBlocks(1000, 1003)');
  eq((await solOk(node, 'getBlocks', [1001, 2000, F])).join(), '1002,1003,1004', 'getBlocks finalized');
  eq((await solOk(node, 'getBlocksWithLimit', [1000, 2, C])).join(), '1000,1002', 'getBlocksWithLimit');

  // Every block: links, heights, versions.
  const full = { encoding: 'json', transactionDetails: 'full', maxSupportedTransactionVersion: 0, rewards: true, commitment: 'confirmed' };
  let prev = null;
  for (const s of [1000, 1002, 1003, 1004, 1006]) {
    const b = await solOk(node, 'getBlock', [s, full]);
    if (prev) {
      eq(b.parentSlot, prev.slot, `getBlock(${s}).parentSlot`);
      eq(b.previousBlockhash, prev.blockhash, `getBlock(${s}).previousBlockhash`);
      eq(b.blockHeight, prev.blockHeight + 1, `getBlock(${s}).blockHeight`);
    }
    ok(b.transactions.every((t) => t.version === 'legacy' || t.version === 0), 'versions labelled');
    prev = { slot: s, ...b };
  }
  eq((await solOk(node, 'getBlock', [1002, full])).blockhash, 'GdY1gj7F8vq1nCy4dgCZK42WV19bkfQ4cp2e9evK18ry', 'real block keeps its blockhash');
  await solErr(node, 'getBlock', [1001, full], -32007, 'skipped slot');
  const e7 = await solErr(node, 'getBlock', [1007, full], -32004, 'slot above the tip');
  eq(e7.message, 'Block not available for slot 1007', 'above-tip message');
  await solErr(node, 'getBlock', [1006, { ...full, commitment: 'finalized' }], -32004, 'slot above finalized');
  await solErr(node, 'getBlock', [999, full], -32001, 'slot below the first');
  const ev = await solErr(node, 'getBlock', [1004, { encoding: 'json', commitment: 'confirmed' }], -32015, 'v0 tx without maxSupportedTransactionVersion');
  ok(ev.message.includes('"maxSupportedTransactionVersion": 0'), '-32015 message');
  const legacy = await solOk(node, 'getBlock', [1002, { encoding: 'json', commitment: 'confirmed' }]);
  ok(legacy.transactions.every((t) => t.version === undefined), 'legacy block served without maxSupportedTransactionVersion, unlabelled');
  const b64 = await solOk(node, 'getBlock', [1002, { ...full, encoding: 'base64' }]);
  ok(Array.isArray(b64.transactions[0].transaction.message.accountKeys), 'other encodings get json');
  const sigs = await solOk(node, 'getBlock', [1002, { ...full, transactionDetails: 'signatures', rewards: false }]);
  ok(sigs.signatures.length === 10 && sigs.transactions === undefined && sigs.rewards === undefined, 'transactionDetails signatures, rewards false');
  say('solana main: getGenesisHash, getVersion, getSlot/getBlockHeight per commitment, getBlocks(WithLimit), getBlock links and errors -32007/-32004/-32001/-32015');

  // Funding block: pre 0, post = the first balance; fee 0.
  const fund = await solOk(node, 'getBlock', [1000, full]);
  ok(fund.transactions.every((t) => t.meta.fee === 0 && t.meta.preBalances.every((x) => x === 0) && t.meta.preTokenBalances.length === 0), 'funding txs start from 0');

  let r = await checkSolBalances(node, 'main', 1006, 'confirmed');
  say(`solana main @1006: getBalance of all ${r.accounts} accounts = expected.js (last post balance = funding + sum of deltas + rewards); ${r.splChecked} (owner, mint) token sums = expected.js; ${r.ownerless} owner-less SPL keys (token accounts of slot 100000000)`);
  await checkSolBalances(node, 'main', 1004, 'finalized');
  say('solana main @1004 (finalized): getBalance and token accounts = expected.js --slot 1004');
  await control(node, { op: 'tip', slot: 1002 });
  eq(await solOk(node, 'getSlot', [C]), 1002, 'tip 1002');
  await solErr(node, 'getBlock', [1003, full], -32004, 'above the moved tip');
  await checkSolBalances(node, 'main', 1002, 'confirmed');
  await control(node, { op: 'tip' });
  say('solana main: tip moved to 1002 and back; balances = expected.js --slot 1002');

  // Reorg.
  const mainHashes = new Map();
  for (const e of chain.branches.main) if (!e.skipped) mainHashes.set(e.slot, e.block.blockhash);
  await control(node, { op: 'branch', name: 'fork' });
  eq(await solOk(node, 'getSlot', [C]), 1007, 'fork tip');
  await solErr(node, 'getBlock', [1004, full], -32007, 'fork: 1004 skipped');
  const f5 = await solOk(node, 'getBlock', [1005, full]);
  ok(f5.parentSlot === 1003 && f5.blockhash !== mainHashes.get(1004), 'fork: 154808473 re-parented under a new hash');
  ok((await solOk(node, 'getBlock', [1006, full])).blockhash !== mainHashes.get(1006), 'fork: 1006 differs');
  r = await checkSolBalances(node, 'fork', 1007, 'confirmed');
  const wm = solanaBalances('main').sol.JARehRjGUkkEShpjzfuV4ERJS25j8XhamL776FAktNGm;
  const wf = r.want.sol.JARehRjGUkkEShpjzfuV4ERJS25j8XhamL776FAktNGm;
  say(`solana fork @1007: balances = expected.js; JARehR… ${wm} (main) -> ${wf} (fork) lamports`);
  await control(node, { op: 'branch', name: 'main' });

  await testFaults(node, 'solana', { method: 'getSlot', params: [C] }, { method: 'getBlockHeight', params: [C] });
  await control(node, { op: 'fault', kind: 'wrong_chain' });
  ok((await solOk(node, 'getGenesisHash')) !== chain.genesisHash, 'wrong_chain: another genesis hash');
  await control(node, { op: 'clear' });
  eq(await solOk(node, 'getGenesisHash'), chain.genesisHash, 'clear ends wrong_chain');
  say('solana: wrong_chain (another genesis hash) until cleared');
}

// ---- expected.js command line ----------------------------------------------------------------------

async function testExpectedCli() {
  const { spawnSync } = require('node:child_process');
  const run = (args) => {
    const p = spawnSync(process.execPath, [path.join(__dirname, 'expected.js'), ...args], { encoding: 'utf8' });
    eq(p.status, 0, `expected.js ${args.join(' ')}: ${p.stderr}`);
    return JSON.parse(p.stdout);
  };
  const b = run(['--family', 'bitcoin', '--branch', 'fork', '--height', '6']);
  ok(b.height === 6 && b.branch === 'fork' && Object.values(b.balances).every((v) => /^[1-9]\d*$/.test(v)), 'expected.js bitcoin output');
  eq(JSON.stringify(b.balances), JSON.stringify(bitcoinBalances('fork', 6).balances), 'expected.js CLI = function');
  const s = run(['--family', 'solana', '--branch', 'main']);
  ok(s.slot === 1006 && typeof s.sol === 'object' && typeof s.spl === 'object', 'expected.js solana output');
  say('expected.js command line: bitcoin --height, solana default tip');
}

async function main() {
  const t0 = Date.now();
  try {
    await testExpectedCli();
    await testBitcoin();
    await testSolana();
    say(`PASS: ${checks} checks in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    process.exitCode = 0;
  } catch (e) {
    console.error(`selftest: ${e.stack || e.message}`);
    process.exitCode = 1;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
