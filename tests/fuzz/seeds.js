#!/usr/bin/env node
// Seeds for the fuzz targets, made from tests/fixtures at test time (the fixtures are not copied
// into the repository's corpus): node tests/fuzz/seeds.js OUTDIR writes OUTDIR/<target>/<name>.
//   fuzz_raw_block_evm      raw EVM block lines, the logs of tests/fixtures/eth in chunks of 8
//   fuzz_raw_block_bitcoin  raw Bitcoin block lines around the getblock answers of tests/fixtures/btc
//                           (verbosity 2), and tests/fakechain's chain of them (verbosity 3)
//   fuzz_raw_block_solana   raw Solana slot lines around the getBlock answers of tests/fixtures/sol
//   fuzz_json_rpc_response  those answers as JSON-RPC responses, single and batched
//   fuzz_config             chainidx.example.toml
//   raw-<family>.ndjson     every raw line of a family in one file, for `chainidx normalize`
//                           (tests/fuzz/run.sh makes fuzz_ndjson_event's seeds from its output)
// Only the fixtures' own bytes are used: JSON texts are minified, never re-serialised (that
// would change numbers such as Bitcoin amounts).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(root, 'tests/fixtures');
const out = process.argv[2];
if (!out) {
    console.error('usage: seeds.js OUTDIR');
    process.exit(2);
}
const MAX_SEED = 64 * 1024; // larger answers slow the fuzzer down more than they teach it

// Removes the whitespace outside strings, keeping every other byte.
function minify(text) {
    let s = '';
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
            s += c;
            if (c === '\\') s += text[++i];
            else if (c === '"') inString = false;
        } else if (c === '"') {
            inString = true;
            s += c;
        } else if (!/\s/.test(c)) {
            s += c;
        }
    }
    return s;
}

function walk(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]).sort();
}

const counts = {};
const raw = { evm: [], bitcoin: [], solana: [] };
function seed(target, name, text) {
    const dir = path.join(out, target);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
    counts[target] = (counts[target] || 0) + 1;
}
const rpcAnswer = (id, result) => `{"jsonrpc":"2.0","id":${id},"result":${result}}`;

// ---- EVM: logs grouped by block, 8 per line.
const evmLogs = new Map();
for (const line of fs.readFileSync(path.join(fixtures,
    'eth/ethereum-etl/mainnet-blocks-17173049-17173050/expected_logs.json'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const l = JSON.parse(line); // hex and small integers only: nothing to lose
    if (!evmLogs.has(l.block_number)) evmLogs.set(l.block_number, { hash: l.block_hash, logs: [] });
    evmLogs.get(l.block_number).logs.push(l);
}
const filterLogs = JSON.parse(fs.readFileSync(path.join(fixtures,
    'eth/ethereum-etl/mainnet-block-483920/rpc.eth_getFilterLogs_transfer_topic0_block_0x76250.json'), 'utf8'));
for (const l of filterLogs.result) {
    const n = parseInt(l.blockNumber, 16);
    if (!evmLogs.has(n)) evmLogs.set(n, { hash: l.blockHash, logs: [] });
    evmLogs.get(n).logs.push({ transaction_hash: l.transactionHash, log_index: parseInt(l.logIndex, 16),
        address: l.address, topics: l.topics, data: l.data });
}
for (const [number, b] of evmLogs) {
    const parent = '0x' + (number % 256).toString(16).padStart(2, '0').repeat(32);
    for (let i = 0; i < b.logs.length; i += 8) {
        const logs = b.logs.slice(i, i + 8).map((l) => ({ tx: l.transaction_hash, log_index: l.log_index,
            address: l.address, topics: l.topics, data: l.data }));
        const line = JSON.stringify({ schema: 'chainidx.evm.block/1', chain: 'ethereum', number,
            hash: b.hash, parent_hash: parent, timestamp: 1683000000 + i, logs });
        seed('fuzz_raw_block_evm', `block-${number}-${i / 8}`, line);
        raw.evm.push(line);
    }
}
for (const f of walk(path.join(fixtures, 'eth')).filter((f) => /rpc\..*\.json$/.test(f)))
    seed('fuzz_json_rpc_response', path.basename(f), fs.readFileSync(f, 'utf8'));

// ---- Bitcoin: getblock (verbosity 2) answers, each as a raw line and as a JSON-RPC answer.
const btcFiles = walk(path.join(fixtures, 'btc')).filter((f) =>
    /rpc_response_getblock_.*\.json$|chainstorage\/.*\/block\.json$/.test(f));
for (const f of btcFiles) {
    const block = minify(fs.readFileSync(f, 'utf8'));
    if (block.length > MAX_SEED) continue;
    const height = JSON.parse(block).height;
    const hash = JSON.parse(block).hash;
    const line = `{"schema":"chainidx.bitcoin.block/1","chain":"bitcoin","number":${height},` +
        `"hash":"${hash}","block":${block}}`;
    seed('fuzz_raw_block_bitcoin', `block-${height}`, line);
    raw.bitcoin.push(line);
    seed('fuzz_json_rpc_response', `getblock-${height}`, rpcAnswer(1, block));
}
// The same real blocks at verbosity 3 (inputs with their prevouts, as `normalize` needs them),
// as tests/fakechain serves them: its chain of mainnet blocks, amounts written exactly.
const { BitcoinNode } = require('../fakechain/btc-rpc.js');
const { toJson } = require('../fakechain/util.js');
const node = new BitcoinNode();
for (let h = 0; h <= node.handle('getblockcount', []); h++) {
    const hash = node.handle('getblockhash', [h]);
    const block = toJson(node.handle('getblock', [hash, 3]));
    if (block.length > MAX_SEED) continue;
    const line = `{"schema":"chainidx.bitcoin.block/1","chain":"bitcoin","number":${h},` +
        `"hash":"${hash}","block":${block}}`;
    seed('fuzz_raw_block_bitcoin', `fakechain-${h}-verbosity-3`, line);
    raw.bitcoin.push(line);
}
// getblockhash and getrawtransaction answers, single and as one batch.
const small = walk(path.join(fixtures, 'btc')).filter((f) =>
    /rpc_response_(getblockhash|getrawtransaction)_.*\.json$/.test(f));
const batch = [];
for (const f of small) {
    const result = minify(fs.readFileSync(f, 'utf8'));
    seed('fuzz_json_rpc_response', path.basename(f, '.json'), rpcAnswer(1, result));
    batch.push(rpcAnswer(batch.length, result));
}
seed('fuzz_json_rpc_response', 'btc-batch', '[' + batch.join(',') + ']');
seed('fuzz_json_rpc_response', 'btc-batch-reversed', '[' + batch.slice().reverse().join(',') + ']');

// ---- Solana: getBlock answers (json and jsonParsed encodings), slot from the file name.
for (const f of walk(path.join(fixtures, 'sol')).filter((f) => /getBlock.*\.json$/.test(f))) {
    const block = minify(fs.readFileSync(f, 'utf8'));
    if (block.length > MAX_SEED) continue;
    const slot = Number(/slot-(\d+)/.exec(f)[1]);
    const b = JSON.parse(block);
    const line = `{"schema":"chainidx.solana.block/1","chain":"solana","slot":${slot},"skipped":false,` +
        `"hash":"${b.blockhash}","parent_hash":"${b.previousBlockhash}","block":${block}}`;
    const name = path.basename(f, '.json');
    seed('fuzz_raw_block_solana', name, line);
    raw.solana.push(line);
    seed('fuzz_json_rpc_response', name, rpcAnswer(1, block));
    // The skipped slot above it: no block, hash = parent_hash = this block's.
    const skipped = `{"schema":"chainidx.solana.block/1","chain":"solana","slot":${slot + 1},` +
        `"skipped":true,"hash":"${b.blockhash}","parent_hash":"${b.blockhash}"}`;
    seed('fuzz_raw_block_solana', `${name}-skipped-next`, skipped);
    raw.solana.push(skipped);
}

// ---- Config: the commented example of every key.
seed('fuzz_config', 'chainidx.example.toml', fs.readFileSync(path.join(root, 'chainidx.example.toml'), 'utf8'));

for (const [family, lines] of Object.entries(raw))
    fs.writeFileSync(path.join(out, `raw-${family}.ndjson`), lines.join('\n') + '\n');
console.log(Object.entries(counts).map(([t, n]) => `${t}: ${n}`).join(', '));
