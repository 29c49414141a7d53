'use strict';
// Random but reproducible token traffic for the e2e chain. A model of every balance (and of NFT
// ownership) keeps each generated transaction valid given the transactions before it in the same
// block, so every receipt must have status 1. The model is only a generator aid: the tests compare
// chainidx against balanceOf on the chain, never against this model.

/// mulberry32: a small seeded PRNG, so a run is reproducible from its seed.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
}

class Traffic {
  /// tokens: { t18, t6, fee, mb, nft } addresses; owner: MintBurnToken owner; collector: FeeToken's.
  constructor(chain, { tokens, accounts, owner, collector, seed = 1 }) {
    this.chain = chain;
    this.tokens = tokens;
    this.accounts = accounts.map((a) => a.toLowerCase());
    this.owner = owner.toLowerCase();
    this.collector = collector.toLowerCase();
    this.rng = prng(seed);
    this.bal = new Map([tokens.t18, tokens.t6, tokens.fee, tokens.mb].map((t) => [t, new Map()]));
    this.nftOwner = new Map();
    this.nextNftId = 1;
  }

  /// A deep copy of the model (the chain handle and the PRNG are shared).
  snapshot() {
    return { bal: new Map([...this.bal].map(([t, m]) => [t, new Map(m)])), nftOwner: new Map(this.nftOwner), nextNftId: this.nextNftId };
  }

  restore(s) {
    this.bal = new Map([...s.bal].map(([t, m]) => [t, new Map(m)]));
    this.nftOwner = new Map(s.nftOwner);
    this.nextNftId = s.nextNftId;
  }

  get(token, a) {
    return this.bal.get(token).get(a) || 0n;
  }

  add(token, a, v) {
    this.bal.get(token).set(a, this.get(token, a) + v);
  }

  /// Applies a transfer to the model and returns its tx.
  transfer(token, from, to, amount) {
    if (this.get(token, from) < amount) throw new Error(`traffic model: ${from} cannot send ${amount} of ${token}`);
    this.add(token, from, -amount);
    if (token === this.tokens.fee) {
      const fee = amount / 100n;
      this.add(token, to, amount - fee);
      this.add(token, this.collector, fee);
    } else {
      this.add(token, to, amount);
    }
    return this.chain.transferTx(token, from, to, amount);
  }

  mint(to, amount) {
    this.add(this.tokens.mb, to, amount);
    return this.chain.mintTx(this.tokens.mb, this.owner, to, amount);
  }

  burn(from, amount) {
    if (this.get(this.tokens.mb, from) < amount) throw new Error('traffic model: burn exceeds balance');
    this.add(this.tokens.mb, from, -amount);
    return this.chain.burnTx(this.tokens.mb, from, amount);
  }

  nftMint(to) {
    const id = this.nextNftId++;
    this.nftOwner.set(id, to);
    return this.chain.nftMintTx(this.tokens.nft, this.owner, to, id);
  }

  nftTransfer(id, to) {
    const from = this.nftOwner.get(id);
    this.nftOwner.set(id, to);
    return this.chain.nftTransferTx(this.tokens.nft, from, to, id);
  }

  /// The first block after deployment: `deployer` (holder of the fixed supplies) spreads every
  /// token over all accounts, and a few accounts get MintBurnToken, one of them a huge amount.
  distribution(deployer) {
    const d = deployer.toLowerCase();
    const { t18, t6, fee } = this.tokens;
    for (const [t, supply] of [[t18, 10n ** 27n], [t6, 10n ** 15n], [fee, 10n ** 27n]]) this.add(t, d, supply);
    const txs = [];
    for (const a of this.accounts) {
      if (a === d) continue;
      txs.push(this.transfer(t18, d, a, 10n ** 24n + BigInt(this.rng.int(1e9))));
      txs.push(this.transfer(t6, d, a, 10n ** 11n + BigInt(this.rng.int(1e6))));
      txs.push(this.transfer(fee, d, a, 10n ** 24n + BigInt(this.rng.int(1e9))));
    }
    txs.push(this.mint(this.accounts[1], 3n * 2n ** 190n + 12345n)); // far beyond 2^128
    for (const a of this.accounts.slice(2, 6)) txs.push(this.mint(a, 10n ** 21n + BigInt(this.rng.int(1e9))));
    return txs;
  }

  randomAmount(balance) {
    const r = this.rng.next();
    if (r < 0.08) return 0n;
    if (r < 0.14) return balance; // everything
    if (r < 0.3) { // dust (below the fee token's 1% threshold too)
      const dust = BigInt(this.rng.int(1000));
      return dust < balance ? dust : balance;
    }
    return (balance * BigInt(this.rng.int(1000000))) / 1000000n;
  }

  /// One random operation (as a tx), valid after all operations generated before it.
  randomOp() {
    const { t18, t6, fee, mb } = this.tokens;
    const r = this.rng.next();
    const from = this.rng.pick(this.accounts);
    let to = this.rng.pick(this.accounts);
    if (r < 0.05) return this.mint(to, BigInt(this.rng.int(1e9)) * 10n ** BigInt(this.rng.int(20)));
    if (r < 0.09) return this.burn(from, this.randomAmount(this.get(mb, from)));
    if (r < 0.12) return this.nftMint(to);
    if (r < 0.15 && this.nftOwner.size) return this.nftTransfer(this.rng.pick([...this.nftOwner.keys()]), to);
    const token = this.rng.pick([t18, t6, fee, fee, mb]);
    if (r < 0.22) to = from; // self-transfer
    if (r > 0.97) return this.transfer(token, from, to, 0n); // zero amount, whatever the balance
    return this.transfer(token, from, to, this.randomAmount(this.get(token, from)));
  }

  randomOps(n) {
    const txs = [];
    for (let i = 0; i < n; i++) txs.push(this.randomOp());
    return txs;
  }
}

module.exports = { Traffic, prng };
