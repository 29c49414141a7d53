'use strict';
// Compiles tests/evm/contracts/*.sol with solc-js (standard JSON), once: the result is cached in
// the OS temp dir under a hash of the sources and the compiler version.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const CONTRACTS_DIR = path.join(__dirname, '..', 'contracts');

function readSources() {
  const sources = {};
  for (const f of fs.readdirSync(CONTRACTS_DIR).sort()) {
    if (f.endsWith('.sol')) sources[f] = { content: fs.readFileSync(path.join(CONTRACTS_DIR, f), 'utf8') };
  }
  return sources;
}

let memo = null;

/// Returns { ContractName: { abi, bytecode: '0x…', selectors: { 'transfer(address,uint256)': 'a9059cbb', … } } }.
function compileAll() {
  if (memo) return memo;
  const sources = readSources();
  const solcVersion = require('solc/package.json').version;
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.methodIdentifiers'] } },
    },
  };
  const key = crypto.createHash('sha256').update(solcVersion).update(JSON.stringify(input)).digest('hex').slice(0, 16);
  const cacheFile = path.join(os.tmpdir(), `chainidx-solc-${key}.json`);
  if (fs.existsSync(cacheFile)) {
    try {
      memo = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
      return memo;
    } catch (_) { /* fall through and recompile */ }
  }
  const solc = require('solc');
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) {
    throw new Error('solc: ' + errors.map((e) => e.formattedMessage || e.message).join('\n'));
  }
  const out = {};
  for (const file of Object.keys(output.contracts)) {
    for (const [name, c] of Object.entries(output.contracts[file])) {
      if (!c.evm.bytecode.object) continue; // abstract
      out[name] = { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object, selectors: c.evm.methodIdentifiers };
    }
  }
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(out));
  fs.renameSync(tmp, cacheFile);
  memo = out;
  return out;
}

module.exports = { compileAll };

if (require.main === module) {
  const t = Date.now();
  const c = compileAll();
  for (const [n, a] of Object.entries(c)) console.log(`${n}: ${(a.bytecode.length - 2) / 2} bytes, ${Object.keys(a.selectors).length} functions`);
  console.log(`compiled in ${Date.now() - t} ms`);
}
