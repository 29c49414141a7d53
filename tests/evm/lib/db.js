'use strict';
// PostgreSQL for the end-to-end scripts: plain psql queries and fresh migrated databases next to
// CHAINIDX_DATABASE_URL (its role must have CREATEDB).
const { spawnSync } = require('node:child_process');
const cx = require('./chainidx');
const { AssertionError } = require('./assert');

/// psql against `url`; returns stdout (unaligned, tuples only).
function sql(url, query) {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', query], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`psql ${query}: ${r.error ? r.error.message : r.stderr}`);
  return r.stdout.trim();
}

let counter = 0;

/// A new database `<prefix>_<pid>_<n>` with the schema migrated by chainidx; returns its URL.
async function freshDatabase(prefix, config) {
  const base = process.env.CHAINIDX_DATABASE_URL;
  if (!base) throw new AssertionError('CHAINIDX_DATABASE_URL is not set');
  const name = `${prefix}_${process.pid}_${++counter}`;
  sql(base, `CREATE DATABASE ${name}`);
  const u = new URL(base);
  u.pathname = '/' + name;
  await cx.ok(['migrate', 'up'], { config, db: u.toString() });
  return u.toString();
}

module.exports = { sql, freshDatabase };
