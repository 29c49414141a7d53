'use strict';
// Starts and stops a local anvil node on a free 127.0.0.1 port, and mines blocks
// deterministically: block n gets timestamp T0 + 12*n.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { Rpc } = require('./rpc');

const BLOCK_TIME = 12;
const DEFAULT_T0 = 1700000000;

function anvilBinary() {
  if (process.env.ANVIL_BIN) return process.env.ANVIL_BIN;
  const pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json');
  return path.join(path.dirname(pkg), 'bin', 'anvil');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// Starts anvil with `--no-mining --order fees --chain-id 31337 --timestamp T0 --silent` (plus
/// `extraArgs`) and resolves when it answers eth_chainId. Returns { url, port, rpc, t0, proc, stop }.
/// If CHAINIDX_PIDS_FILE is set, the pid is appended to it so a shell trap can clean up after a
/// crashed test.
async function startAnvil({ t0 = DEFAULT_T0, extraArgs = [], log = null } = {}) {
  const bin = anvilBinary();
  if (!fs.existsSync(bin)) throw new Error(`anvil binary not found at ${bin} (run npm ci in tests/evm)`);
  for (let attempt = 1; attempt <= 5; attempt++) {
    const port = await freePort();
    const args = ['--host', '127.0.0.1', '--port', String(port), '--no-mining', '--order', 'fees',
      '--chain-id', '31337', '--timestamp', String(t0), '--silent', ...extraArgs];
    const proc = spawn(bin, args, { stdio: ['ignore', log ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => { stderr += d; });
    if (log) proc.stdout.on('data', (d) => log(String(d)));
    let exited = null;
    proc.on('exit', (code, sig) => { exited = { code, sig }; });
    if (process.env.CHAINIDX_PIDS_FILE) fs.appendFileSync(process.env.CHAINIDX_PIDS_FILE, `${proc.pid}\n`);
    const url = `http://127.0.0.1:${port}`;
    const rpc = new Rpc(url);
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline && !exited) {
      try {
        const id = await rpc.call('eth_chainId');
        if (parseInt(id, 16) !== 31337) throw new Error(`anvil answered chain id ${id}`);
        const stop = () => stopProcess(proc);
        process.once('exit', () => { try { proc.kill('SIGKILL'); } catch (_) { /* gone */ } });
        return { url, port, rpc, t0, proc, stop };
      } catch (e) {
        if (/answered chain id/.test(e.message)) throw e;
        await sleep(50);
      }
    }
    proc.kill('SIGKILL');
    if (!exited) throw new Error(`anvil did not answer on ${url} within 20 s: ${stderr.slice(0, 500)}`);
    if (attempt === 5 || !/address|in use|bind/i.test(stderr)) {
      throw new Error(`anvil exited (${JSON.stringify(exited)}): ${stderr.slice(0, 500)}`);
    }
  }
  throw new Error('unreachable');
}

/// SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited.
function stopProcess(proc, graceMs = 5000) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => { clearTimeout(t); resolve(); });
    proc.kill('SIGTERM');
  });
}

/// Mines one block with timestamp T0 + 12*number; returns the new block number.
async function mineBlock(rpc, t0 = DEFAULT_T0) {
  const next = parseInt(await rpc.call('eth_blockNumber'), 16) + 1;
  await rpc.call('evm_mine', [{ timestamp: t0 + BLOCK_TIME * next }]);
  const now = parseInt(await rpc.call('eth_blockNumber'), 16);
  if (now !== next) throw new Error(`evm_mine: expected head ${next}, got ${now}`);
  return next;
}

/// Mines `n` empty-or-not blocks one by one (deterministic timestamps); returns the head.
async function mineBlocks(rpc, n, t0 = DEFAULT_T0) {
  let head;
  for (let i = 0; i < n; i++) head = await mineBlock(rpc, t0);
  return head;
}

module.exports = { startAnvil, stopProcess, mineBlock, mineBlocks, anvilBinary, freePort, sleep, DEFAULT_T0, BLOCK_TIME };
