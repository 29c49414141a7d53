'use strict';
// The little ABI encoding the tests need: static arguments (address, uint256) only.

const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

function word(v) {
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v)) return v.slice(2).toLowerCase().padStart(64, '0');
  const n = BigInt(v);
  if (n < 0n || n >= 1n << 256n) throw new Error(`abi: ${v} is not a uint256`);
  return n.toString(16).padStart(64, '0');
}

/// Calldata for a function given its 4-byte selector (hex, no 0x) and static arguments.
function encodeCall(selector, ...args) {
  if (!/^[0-9a-f]{8}$/.test(selector)) throw new Error(`abi: bad selector ${selector}`);
  return '0x' + selector + args.map(word).join('');
}

/// Constructor arguments appended to creation bytecode.
function encodeDeploy(bytecode, ...args) {
  return bytecode + args.map(word).join('');
}

function decodeUint(hex) {
  if (hex === '0x') throw new Error('abi: empty return data (no contract at that address or block?)');
  return BigInt(hex);
}

/// The address in an indexed address topic (lowercase).
function topicToAddress(topic) {
  return '0x' + topic.slice(-40).toLowerCase();
}

/// A Transfer log of an ERC-20 (3 topics, 32-byte data) as { token, from, to, value } or null.
function decodeErc20Transfer(log) {
  if (!log.topics || log.topics.length !== 3 || log.topics[0].toLowerCase() !== TRANSFER_TOPIC) return null;
  if (!log.data || log.data.length !== 66) return null;
  return { token: log.address.toLowerCase(), from: topicToAddress(log.topics[1]), to: topicToAddress(log.topics[2]), value: BigInt(log.data) };
}

const hexQty = (n) => '0x' + BigInt(n).toString(16);

module.exports = { TRANSFER_TOPIC, ZERO_ADDRESS, encodeCall, encodeDeploy, decodeUint, topicToAddress, decodeErc20Transfer, hexQty, word };
