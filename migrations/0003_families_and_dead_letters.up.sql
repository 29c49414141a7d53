-- Chain families beyond EVM (skipped Solana slots, Bitcoin's unspent outputs) and dead letters.

-- A slot the chain skipped: no block; its hash is the block below's, so the chain still links.
ALTER TABLE blocks ADD COLUMN skipped boolean NOT NULL DEFAULT false;

-- Bitcoin outputs that carry a balance. Spends resolve here without the node's txindex; an
-- unwind deletes outputs created above the fork and un-spends those spent above it.
CREATE TABLE utxos (
    chain          text NOT NULL,
    txid           bytea NOT NULL,
    vout           integer NOT NULL,
    account        bytea NOT NULL,
    value          bigint NOT NULL CHECK (value >= 0),
    created_block  bigint NOT NULL,
    spent_block    bigint,
    PRIMARY KEY (chain, txid, vout)
);
CREATE INDEX utxos_by_created ON utxos (chain, created_block);
CREATE INDEX utxos_by_spent ON utxos (chain, spent_block) WHERE spent_block IS NOT NULL;
CREATE INDEX utxos_by_account ON utxos (chain, account);

-- Items that could not be normalized: kept with their raw payload, the error and the source.
-- The chain stops at their block unless their token is quarantined.
CREATE TABLE dead_letters (
    id            bigserial PRIMARY KEY,
    chain         text NOT NULL REFERENCES chains (name),
    block_number  bigint NOT NULL,
    block_hash    bytea NOT NULL,
    tx            bytea NOT NULL,
    item_index    integer NOT NULL,
    token         bytea NOT NULL,
    source        text NOT NULL,
    error         text NOT NULL,
    payload       text NOT NULL,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'quarantined', 'resolved', 'discarded')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    UNIQUE (chain, tx, item_index)
);
CREATE INDEX dead_letters_open ON dead_letters (chain, status);

-- Tokens whose balances are not trusted: their bad items were set aside so the chain goes on.
CREATE TABLE quarantined_tokens (
    chain       text NOT NULL REFERENCES chains (name),
    token       bytea NOT NULL,
    reason      text NOT NULL,
    since_block bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain, token)
);
