-- The spent outputs deleted since version 4 are not restored: version 3 reads the table the same
-- way, except that reconcile below the finalized block may then miss outputs that were still
-- unspent there (re-index the chain if that matters).
ALTER TABLE chains DROP COLUMN IF EXISTS utxo_spent_pruned_to;
