-- Bitcoin's UTXO table keeps an output spent in a final block no longer: no reorg can bring it
-- back, and keeping it made every batch's spends cost more the more history was stored. This
-- records, per chain, the highest block whose spent outputs were deleted; the table answers
-- reconcile for blocks at or above it only.
ALTER TABLE chains ADD COLUMN utxo_spent_pruned_to bigint NOT NULL DEFAULT -1;

-- An existing database: delete what the new rule would have deleted.
DELETE FROM utxos u USING watermarks w WHERE u.chain = w.chain AND u.spent_block <= w.finalized_block;
UPDATE chains c SET utxo_spent_pruned_to = w.finalized_block
    FROM watermarks w WHERE w.chain = c.name AND c.family = 'bitcoin';
