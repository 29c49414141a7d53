'use strict';
// Runs the real chainidx binary (CHAINIDX_BIN): foreground commands with captured output and a
// timeout, JSON output parsed, and background processes (scan --follow, a backfill to kill).
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const TAIL = 4000;
const tail = (s, n = TAIL) => (s.length > n ? '…' + s.slice(-n) : s);

function binary() {
  const bin = process.env.CHAINIDX_BIN;
  if (!bin) throw new Error('CHAINIDX_BIN is not set: point it at the chainidx binary (scripts/test builds it to build/chainidx)');
  let st;
  try {
    st = fs.statSync(bin);
  } catch (_) {
    throw new Error(`CHAINIDX_BIN=${bin} does not exist: build chainidx first (cmake -S . -B build && cmake --build build)`);
  }
  if (!st.isFile()) throw new Error(`CHAINIDX_BIN=${bin} is not a file`);
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch (_) {
    throw new Error(`CHAINIDX_BIN=${bin} is not executable`);
  }
  return path.resolve(bin);
}

function fullArgs(args, { config, db, logLevel } = {}) {
  const a = [];
  if (config) a.push('--config', config);
  if (db) a.push('--db', db);
  if (logLevel) a.push('--log-level', logLevel);
  return [...a, ...args];
}

/// Runs chainidx to completion: { code, signal, stdout, stderr, ms, cmd }.
function run(args, opts = {}) {
  const argv = fullArgs(args, opts);
  const cmd = `chainidx ${args.join(' ')}`;
  const timeoutMs = opts.timeoutMs || 180000;
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const p = spawn(binary(), argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env || {}) } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19)); });
    const timer = setTimeout(() => { p.kill('SIGKILL'); }, timeoutMs);
    p.on('error', (e) => { clearTimeout(timer); reject(new Error(`${cmd}: cannot start: ${e.message}`)); });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - t0;
      if (signal === 'SIGKILL' && ms >= timeoutMs) return reject(new Error(`${cmd}: timed out after ${timeoutMs / 1000} s\nstderr: ${tail(stderr)}`));
      resolve({ code, signal, stdout, stderr, ms, cmd });
    });
  });
}

/// Runs chainidx and requires exit code 0 (or `expectCode`).
async function ok(args, opts = {}) {
  const r = await run(args, opts);
  const want = opts.expectCode === undefined ? 0 : opts.expectCode;
  if (r.code !== want) {
    throw new Error(`${r.cmd} exited ${r.code === null ? 'by ' + r.signal : r.code}, expected ${want}\nstderr: ${tail(r.stderr)}\nstdout: ${tail(r.stdout, 1000)}`);
  }
  return r;
}

/// Runs chainidx with `--output json` already in `args` and parses stdout.
async function json(args, opts = {}) {
  const r = await ok(args, opts);
  try {
    return JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`${r.cmd}: stdout is not JSON (${e.message}): ${tail(r.stdout, 1000)}`);
  }
}

/// Starts chainidx in the background. Returns { proc, cmd, stderr(), exited: Promise<{code, signal}> }.
function background(args, opts = {}) {
  const argv = fullArgs(args, opts);
  const cmd = `chainidx ${args.join(' ')}`;
  const proc = spawn(binary(), argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env || {}) } });
  if (process.env.CHAINIDX_PIDS_FILE) fs.appendFileSync(process.env.CHAINIDX_PIDS_FILE, `${proc.pid}\n`);
  let stderr = '';
  let stdout = '';
  proc.stdout.on('data', (d) => { stdout += d; if (stdout.length > 1 << 20) stdout = stdout.slice(-(1 << 19)); });
  proc.stderr.on('data', (d) => { stderr += d; if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19)); });
  const exited = new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  process.once('exit', () => { try { proc.kill('SIGKILL'); } catch (_) { /* gone */ } });
  return { proc, cmd, exited, stderr: () => tail(stderr), stdout: () => stdout, running: () => proc.exitCode === null && proc.signalCode === null };
}

module.exports = { binary, run, ok, json, background, tail };
