'use strict';
// Bitcoin Core's JSON-RPC methods over the fake chain of btc-chain.js. Answers mimic Bitcoin
// Core (getblock verbosity 3 with `prevout` as in Core >= 25, scantxoutset with `coinbase` and
// `blockhash`), computed from the fake chain itself: a UTXO set for scantxoutset, the spent
// outputs for prevout.
const crypto = require('node:crypto');
const { buildBitcoinChain, isCoinbase } = require('./btc-chain');
const { Sats, RpcError, clone, withChecksum, descChecksum } = require('./util');

const TESTNET_GENESIS = '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943';
const HEADER_FIELDS = ['version', 'versionHex', 'merkleroot', 'time', 'mediantime', 'nonce', 'bits', 'difficulty', 'chainwork', 'nTx'];

/// The balance owner of a script, keyed like expected.js (address, single addresses[0], or a
/// script id). scantxoutset's addr() matches on it, so a P2PK output listed under an address by
/// an old node matches addr() too, unlike real Bitcoin Core (see README.md).
function owner(spk) {
  if (spk.address) return spk.address;
  if (Array.isArray(spk.addresses) && spk.addresses.length === 1) return spk.addresses[0];
  return 'script:' + crypto.createHash('sha256').update(Buffer.from(spk.hex, 'hex')).digest('hex').slice(0, 40);
}

/// The descriptor Bitcoin Core infers for a script (no keys known), with checksum.
function inferDesc(spk) {
  if (spk.desc) return spk.desc;
  if (spk.type === 'pubkey') return withChecksum(`pk(${spk.asm.split(' ')[0]})`);
  const addr = spk.address || (spk.addresses && spk.addresses.length === 1 && spk.addresses[0]);
  if (addr && spk.type !== 'multisig') return withChecksum(`addr(${addr})`);
  return withChecksum(`raw(${spk.hex})`);
}

/// scriptPubKey as in a verbosity-3 prevout: the output's own fields, plus desc after asm.
function prevoutScript(spk) {
  const out = { asm: spk.asm, desc: inferDesc(spk), hex: spk.hex };
  for (const [k, v] of Object.entries(spk)) if (!(k in out) && k !== 'type') out[k] = clone(v);
  out.type = spk.type;
  return out;
}

class BitcoinNode {
  constructor({ noPrevout = false } = {}) {
    this.chain = buildBitcoinChain();
    this.noPrevout = noPrevout;
    this.branch = 'main';
    this.tipHeight = null; // null = the whole branch
    this.wrongChain = false;
    this.seen = new Set(); // hashes that have been on the active chain: a node keeps stale blocks
    this.outputIndex = {}; // branch -> Map "txid:n" -> { vout, height, coinbase, blockhash }
    for (const [name, blocks] of Object.entries(this.chain.branches)) {
      const m = new Map();
      for (const b of blocks) for (const tx of b.tx) for (const v of tx.vout) m.set(`${tx.txid}:${v.n}`, { vout: v, height: b.height, coinbase: isCoinbase(tx), blockhash: b.hash });
      this.outputIndex[name] = m;
    }
    this.markSeen();
  }

  // ---- state (driven by POST /control) ----
  blocks() { return this.chain.branches[this.branch]; }
  tip() { return this.tipHeight === null ? this.blocks().length - 1 : this.tipHeight; }
  markSeen() { for (const b of this.blocks().slice(0, this.tip() + 1)) this.seen.add(b.hash); }

  setBranch(name) {
    if (!this.chain.branches[name]) throw new Error(`no branch ${name} (main, fork)`);
    this.branch = name;
    this.tipHeight = null;
    this.markSeen();
    return this.state();
  }

  setTip(height) {
    if (height === undefined || height === null) this.tipHeight = null;
    else if (!Number.isInteger(height) || height < 0 || height >= this.blocks().length) throw new Error(`height must be in 0..${this.blocks().length - 1}`);
    else this.tipHeight = height;
    this.markSeen();
    return this.state();
  }

  state() { return { branch: this.branch, height: this.tip(), bestblockhash: this.blocks()[this.tip()].hash }; }

  // ---- helpers ----
  active(hash) {
    const b = this.chain.byHash.get(hash);
    return b && b.height <= this.tip() && this.blocks()[b.height] === b ? b : null;
  }

  known(hash) {
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw new RpcError(-8, `blockhash must be of length 64 (not ${String(hash).length}, for '${hash}')`);
    const b = this.seen.has(hash) && this.chain.byHash.get(hash);
    if (!b) throw new RpcError(-5, 'Block not found');
    return b;
  }

  header(b) {
    const onChain = this.active(b.hash);
    const h = { hash: b.hash, confirmations: onChain ? this.tip() - b.height + 1 : -1, height: b.height };
    for (const f of HEADER_FIELDS) h[f] = b[f];
    if (b.previousblockhash) h.previousblockhash = b.previousblockhash;
    if (onChain && b.height < this.tip()) h.nextblockhash = this.blocks()[b.height + 1].hash;
    return h;
  }

  /// The branch whose outputs a block's inputs spend: the active one if the block is on it.
  branchOf(b) { return this.active(b.hash) ? this.branch : Object.keys(this.chain.branches).find((n) => this.chain.branches[n][b.height] === b); }

  withPrevouts(tx, index) {
    if (isCoinbase(tx)) return tx;
    const out = clone(tx);
    let inSum = 0n;
    out.vin = tx.vin.map((vin) => {
      const p = index.get(`${vin.txid}:${vin.vout}`);
      inSum += p.vout.value.sats;
      const { sequence, ...rest } = clone(vin);
      return { ...rest, prevout: { generated: p.coinbase, height: p.height, value: p.vout.value, scriptPubKey: prevoutScript(p.vout.scriptPubKey) }, sequence };
    });
    out.fee = new Sats(inSum - tx.vout.reduce((s, v) => s + v.value.sats, 0n));
    return out;
  }

  headerHex(b) {
    const le32 = (n) => { const x = Buffer.alloc(4); x.writeUInt32LE(n >>> 0); return x; };
    const rev = (hex) => Buffer.from(hex || '00'.repeat(32), 'hex').reverse();
    return Buffer.concat([le32(b.version), rev(b.previousblockhash), rev(b.merkleroot), le32(b.time), rev(b.bits), le32(b.nonce)]).toString('hex');
  }

  utxoSet() {
    const key = `${this.branch}/${this.tip()}`;
    if (this.utxoCache && this.utxoCache.key === key) return this.utxoCache.set;
    const set = new Map();
    for (const b of this.blocks().slice(0, this.tip() + 1)) {
      for (const tx of b.tx) {
        if (!isCoinbase(tx)) for (const vin of tx.vin) set.delete(`${vin.txid}:${vin.vout}`);
        tx.vout.forEach((v) => {
          // Like Bitcoin Core, provably unspendable outputs never enter the UTXO set.
          if (v.scriptPubKey.type !== 'nulldata') set.set(`${tx.txid}:${v.n}`, { txid: tx.txid, vout: v, height: b.height, blockhash: b.hash, coinbase: isCoinbase(tx) });
        });
      }
    }
    this.utxoCache = { key, set };
    return set;
  }

  /// A matcher for one scan object: "addr(A)", "raw(HEX)", "pk(HEX)" or {desc: ...}.
  matcher(obj) {
    const d = typeof obj === 'string' ? obj : obj && obj.desc;
    if (typeof d !== 'string') throw new RpcError(-8, 'Scan object needs to be either a string or an object');
    const [body, sum] = d.split('#');
    if (sum !== undefined && sum !== descChecksum(body)) throw new RpcError(-5, `Provided checksum '${sum}' does not match computed checksum '${descChecksum(body)}'`);
    let m;
    if ((m = /^addr\(([^)]+)\)$/.exec(body))) return (spk) => owner(spk) === m[1];
    if ((m = /^raw\(([0-9a-f]+)\)$/.exec(body))) return (spk) => spk.hex === m[1];
    if ((m = /^pk\(([0-9a-f]+)\)$/.exec(body))) return (spk) => spk.type === 'pubkey' && spk.asm.split(' ')[0] === m[1];
    throw new RpcError(-5, `fakechain: unsupported descriptor '${d}' (addr(), raw() and pk() are served)`);
  }

  // ---- methods ----
  handle(method, params) {
    const p = Array.isArray(params) ? params : (params && typeof params === 'object' ? Object.values(params) : []);
    const tip = this.tip();
    const best = this.blocks()[tip];
    switch (method) {
      case 'getblockchaininfo':
        return {
          chain: this.wrongChain ? 'test' : 'main', blocks: tip, headers: tip, bestblockhash: best.hash,
          difficulty: best.difficulty, time: best.time, mediantime: best.mediantime, verificationprogress: 1,
          initialblockdownload: false, chainwork: best.chainwork, size_on_disk: 0, pruned: false, warnings: '',
        };
      case 'getblockcount': return tip;
      case 'getbestblockhash': return best.hash;
      case 'getblockhash': {
        const h = p[0];
        if (!Number.isInteger(h)) throw new RpcError(-3, 'JSON value of type ' + typeof h + ' is not of expected type number');
        if (h < 0 || h > tip) throw new RpcError(-8, 'Block height out of range');
        if (this.wrongChain && h === 0) return TESTNET_GENESIS;
        return this.blocks()[h].hash;
      }
      case 'getblockheader': {
        const b = this.known(p[0]);
        return p[1] === false ? this.headerHex(b) : this.header(b);
      }
      case 'getblock': {
        const b = this.known(p[0]);
        let v = p[1] === undefined ? 1 : p[1];
        if (v === true) v = 1;
        if (v === false) v = 0;
        if (![0, 1, 2, 3].includes(v)) throw new RpcError(-8, 'Verbosity must be in range 0..3');
        if (v === 0) throw new RpcError(-8, 'fakechain: verbosity 0 (raw block hex) is not served');
        if (v === 3 && this.noPrevout) v = 2; // an old node: verbosity 3 is treated as 2
        const h = this.header(b);
        let tx = b.tx.map((t) => t.txid);
        if (v === 2) tx = b.tx;
        if (v === 3) { const idx = this.outputIndex[this.branchOf(b)]; tx = b.tx.map((t) => this.withPrevouts(t, idx)); }
        const { hash, confirmations, height, ...rest } = h;
        const { version, versionHex, merkleroot, ...tail } = rest;
        return { hash, confirmations, strippedsize: b.strippedsize, size: b.size, weight: b.weight, height, version, versionHex, merkleroot, tx, ...tail };
      }
      case 'scantxoutset': {
        const action = p[0];
        if (action === 'status') return null;
        if (action === 'abort') return false;
        if (action !== 'start') throw new RpcError(-8, `Invalid action '${action}'`);
        if (!Array.isArray(p[1])) throw new RpcError(-8, 'scanobjects argument is required for the start action');
        const matchers = p[1].map((o) => this.matcher(o));
        const set = this.utxoSet();
        const unspents = [];
        let total = 0n;
        for (const u of set.values()) {
          if (!matchers.some((m) => m(u.vout.scriptPubKey))) continue;
          total += u.vout.value.sats;
          unspents.push({
            txid: u.txid, vout: u.vout.n, scriptPubKey: u.vout.scriptPubKey.hex, desc: inferDesc(u.vout.scriptPubKey),
            amount: u.vout.value, coinbase: u.coinbase, height: u.height, blockhash: u.blockhash,
          });
        }
        return { success: true, txouts: set.size, height: tip, bestblock: best.hash, unspents, total_amount: new Sats(total) };
      }
      case 'getrawtransaction':
        // Like a node without -txindex: spent history is not looked up by txid.
        throw new RpcError(-5, 'No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries. Use gettransaction for wallet transactions.');
      default:
        throw new RpcError(-32601, 'Method not found');
    }
  }
}

module.exports = { BitcoinNode, owner };
