'use strict';
// Small helpers shared by the fake chains: hashing, base58, exact BTC amounts, a JSON writer
// that keeps amounts exact, and Bitcoin descriptor checksums. Standard library only.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const FIXTURES = path.resolve(__dirname, '../fixtures');

const sha256 = (data) => crypto.createHash('sha256').update(data).digest();
const dsha256 = (data) => sha256(sha256(data));
/// A 64-hex "hash" for a synthesized object, derived from a readable label so it is stable.
const labelHash = (label) => sha256(`chainidx-fakechain:${label}`).toString('hex');

// ---- base58 (Bitcoin alphabet, also Solana's) ------------------------------------------------
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58encode(buf) {
  let n = BigInt('0x' + (buf.length ? buf.toString('hex') : '0'));
  let out = '';
  while (n > 0n) { out = B58[Number(n % 58n)] + out; n /= 58n; }
  for (const b of buf) { if (b !== 0) break; out = '1' + out; }
  return out;
}

function base58decode(str) {
  let n = 0n;
  for (const c of str) {
    const v = B58.indexOf(c);
    if (v < 0) throw new Error(`not base58: ${str}`);
    n = n * 58n + BigInt(v);
  }
  let hex = n === 0n ? '' : n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const zeros = str.match(/^1*/)[0].length;
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, 'hex')]);
}

/// The 20-byte hash of a base58check P2PKH/P2SH address (checksum verified).
function addressHash160(address) {
  const raw = base58decode(address);
  const body = raw.subarray(0, raw.length - 4);
  if (!dsha256(body).subarray(0, 4).equals(raw.subarray(raw.length - 4))) throw new Error(`bad checksum: ${address}`);
  return { version: body[0], hash160: body.subarray(1).toString('hex') };
}

/// A 32-byte (blockhash) or 64-byte (signature) base58 string for a synthesized Solana object.
const solHash = (label) => base58encode(sha256(`chainidx-fakechain:${label}`));
const solSignature = (label) => base58encode(crypto.createHash('sha512').update(`chainidx-fakechain:${label}`).digest());

// ---- exact BTC amounts -----------------------------------------------------------------------
// Fixture amounts are JSON numbers such as 50.0, 0.5944254, 95 or 1e-08. Reading them as doubles
// could round, so the raw text is turned into satoshis with integer arithmetic only.

/// A BTC amount held as satoshis; the JSON writer prints it as Bitcoin Core does (8 decimals).
class Sats {
  constructor(sats) {
    if (typeof sats !== 'bigint') throw new Error('Sats needs a BigInt');
    this.sats = sats;
  }
}

function parseBtcText(text) {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(String(text));
  if (!m) throw new Error(`not a BTC amount: ${text}`);
  const digits = m[2] + (m[3] || '');
  // value = digits * 10^(exp - fractionDigits) BTC = digits * 10^(exp - fractionDigits + 8) sat
  const shift = Number(m[4] || 0) - (m[3] || '').length + 8;
  let sats = BigInt(digits);
  if (shift >= 0) sats *= 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    if (sats % div !== 0n) throw new Error(`BTC amount finer than a satoshi: ${text}`);
    sats /= div;
  }
  return m[1] ? -sats : sats;
}

function formatBtc(sats) {
  const neg = sats < 0n;
  const a = neg ? -sats : sats;
  return `${neg ? '-' : ''}${a / 100000000n}.${(a % 100000000n).toString().padStart(8, '0')}`;
}

/// Reads a Bitcoin fixture; every `"value": <number>` becomes a Sats taken from the raw text.
function readBtcJson(file) {
  const text = fs.readFileSync(file, 'utf8')
    .replace(/"value"(\s*):(\s*)(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/g, '"value"$1:$2"\\u0000$3"'); // a JSON escape, decoded below
  return JSON.parse(text, (key, v) =>
    (typeof v === 'string' && v.startsWith('\u0000') ? new Sats(parseBtcText(v.slice(1))) : v));
}

// ---- JSON writer -----------------------------------------------------------------------------
/// Like JSON.stringify, but Sats print as exact 8-decimal numbers and BigInts as integers, so
/// no amount ever passes through a double.
function toJson(v) {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Sats) return formatBtc(v.sats);
  switch (typeof v) {
    case 'bigint': return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new Error('non-finite number in JSON');
      return JSON.stringify(v);
    case 'string': case 'boolean': return JSON.stringify(v);
    default: break;
  }
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  const parts = [];
  for (const [k, x] of Object.entries(v)) if (x !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(x)}`);
  return `{${parts.join(',')}}`;
}

/// A deep copy that keeps Sats (shared and immutable) and BigInts.
function clone(v) {
  if (v === null || typeof v !== 'object' || v instanceof Sats) return v;
  if (Array.isArray(v)) return v.map(clone);
  const o = {};
  for (const [k, x] of Object.entries(v)) o[k] = clone(x);
  return o;
}

// ---- Bitcoin descriptor checksum (BIP 380) ---------------------------------------------------
const DESC_INPUT = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
const DESC_CHECK = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

// The checksum's 40-bit state is kept as two 32-bit halves (hi holds the top 8 bits): BigInt
// made the bench's generator spend most of its time here.
const DESC_GEN = [[0xf5, 0xdee51989], [0xa9, 0xfdca3312], [0x1b, 0xab10e32d], [0x37, 0x06b1677a], [0x64, 0x4d626ffd]];

function descPolymod(c, val) {
  const c0 = c.hi >>> 3;
  let hi = ((c.hi & 7) << 5) | (c.lo >>> 27);
  let lo = ((c.lo << 5) ^ val) >>> 0;
  for (let i = 0; i < 5; i++) {
    if ((c0 >>> i) & 1) { hi ^= DESC_GEN[i][0]; lo = (lo ^ DESC_GEN[i][1]) >>> 0; }
  }
  c.hi = hi;
  c.lo = lo;
}

function descChecksum(desc) {
  const c = { hi: 0, lo: 1 };
  let cls = 0;
  let count = 0;
  for (const ch of desc) {
    const pos = DESC_INPUT.indexOf(ch);
    if (pos < 0) throw new Error(`bad descriptor character in ${desc}`);
    descPolymod(c, pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++count === 3) { descPolymod(c, cls); cls = 0; count = 0; }
  }
  if (count > 0) descPolymod(c, cls);
  for (let j = 0; j < 8; j++) descPolymod(c, 0);
  const value = c.hi * 2 ** 32 + ((c.lo ^ 1) >>> 0);
  let out = '';
  for (let j = 0; j < 8; j++) out += DESC_CHECK[Math.floor(value / 2 ** (5 * (7 - j))) % 32];
  return out;
}

const withChecksum = (desc) => `${desc}#${descChecksum(desc)}`;

/// A JSON-RPC error answer ({code, message}) thrown by a method handler.
class RpcError extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

module.exports = {
  FIXTURES, sha256, dsha256, labelHash, base58encode, base58decode, addressHash160, solHash,
  solSignature, Sats, parseBtcText, formatBtc, readBtcJson, toJson, clone, descChecksum, withChecksum, RpcError,
};
