-- Every reconcile run and the drifts it found, so drift can be tracked over time.
CREATE TABLE reconcile_runs (
    id            bigserial PRIMARY KEY,
    chain         text NOT NULL REFERENCES chains (name),
    block_number  bigint NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    pairs_checked bigint NOT NULL,
    pairs_matching bigint NOT NULL,
    pairs_drifted bigint NOT NULL,
    sum_mismatches bigint NOT NULL
);

CREATE TABLE reconcile_diffs (
    run_id          bigint NOT NULL REFERENCES reconcile_runs (id) ON DELETE CASCADE,
    token           bytea NOT NULL,
    account         bytea NOT NULL,
    indexed         numeric(78, 0) NOT NULL,
    on_chain        numeric(78, 0),
    classification  text NOT NULL,
    PRIMARY KEY (run_id, token, account)
);
