'use strict';
// Assertions for the end-to-end scripts: a failed one is an AssertionError, reported as such.
class AssertionError extends Error {}

function assert(cond, message) {
  if (!cond) throw new AssertionError(message);
}

const fmt = (v) => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v));

function assertEqual(actual, expected, what) {
  if (actual !== expected) throw new AssertionError(`${what}: got ${fmt(actual)}, expected ${fmt(expected)}`);
}

const say = (...a) => console.log('  ' + a.join(' '));

module.exports = { AssertionError, assert, assertEqual, fmt, say };
