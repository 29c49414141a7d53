-- chainidx schema, version 1: chains, the block-hash window, balance events, balances,
-- watermarks, reorgs and backfill progress. Amounts are NUMERIC(78,0): every uint256 fits.

CREATE TABLE chains (
    name        text PRIMARY KEY,
    family      text NOT NULL,
    chain_id    bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Finality: 0 pending, 1 safe, 2 finalized (promoted from the chain's own signals).
CREATE TABLE blocks (
    chain        text NOT NULL REFERENCES chains (name),
    number       bigint NOT NULL,
    hash         bytea NOT NULL,
    parent_hash  bytea NOT NULL,
    timestamp    bigint NOT NULL,
    finality     smallint NOT NULL DEFAULT 0,
    PRIMARY KEY (chain, number)
);

-- One row per balance change. The primary key is the event id: inserting it twice is a no-op.
CREATE TABLE balance_events (
    chain         text NOT NULL,
    tx_hash       bytea NOT NULL,
    event_index   integer NOT NULL,
    leg           smallint NOT NULL,
    block_number  bigint NOT NULL,
    block_hash    bytea NOT NULL,
    token         bytea NOT NULL,
    account       bytea NOT NULL,
    delta         numeric(78, 0) NOT NULL,
    finality      smallint NOT NULL DEFAULT 0,
    PRIMARY KEY (chain, tx_hash, event_index, leg)
);
CREATE INDEX balance_events_by_block ON balance_events (chain, block_number);

-- Always equal to the sum of the pair's balance_events (checked by `status --verify`).
CREATE TABLE balances (
    chain          text NOT NULL,
    token          bytea NOT NULL,
    account        bytea NOT NULL,
    -- A balance is a uint256 on chain; beyond ±(2^256-1) something is wrong, never stored.
    amount         numeric(78, 0) NOT NULL CONSTRAINT balances_amount_fits_256_bits CHECK (
                       abs(amount) <= 115792089237316195423570985008687907853269984665640564039457584007913129639935),
    updated_block  bigint NOT NULL,
    PRIMARY KEY (chain, token, account)
);
CREATE INDEX balances_by_token ON balances (chain, token);

-- The live position of each chain: every block up to block_number is indexed.
CREATE TABLE watermarks (
    chain            text PRIMARY KEY REFERENCES chains (name),
    block_number     bigint NOT NULL,
    block_hash       bytea NOT NULL,
    safe_block       bigint NOT NULL DEFAULT 0,
    finalized_block  bigint NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Every unwind, reorg or rollback that moved a watermark back, and why.
CREATE TABLE reorgs (
    id               bigserial PRIMARY KEY,
    chain            text NOT NULL REFERENCES chains (name),
    detected_at      timestamptz NOT NULL DEFAULT now(),
    kind             text NOT NULL DEFAULT 'reorg',
    fork_block       bigint NOT NULL,
    depth            integer NOT NULL,
    old_head_number  bigint NOT NULL,
    old_head_hash    bytea,
    new_hash         bytea,
    events_reverted  bigint NOT NULL DEFAULT 0,
    reason           text
);

CREATE TABLE backfill_jobs (
    chain        text NOT NULL REFERENCES chains (name),
    from_block   bigint NOT NULL,
    to_block     bigint NOT NULL,
    next_block   bigint NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    PRIMARY KEY (chain, from_block, to_block)
);
