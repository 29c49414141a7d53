DROP TABLE IF EXISTS reconcile_diffs;
DROP TABLE IF EXISTS reconcile_runs;
