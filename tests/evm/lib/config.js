'use strict';
// Writes a chainidx config file (TOML) for one local chain.
const fs = require('node:fs');
const path = require('node:path');

/// Writes `dir/<file>` (default chainidx-<name>.toml) and returns its path. The database URL is read by chainidx
/// from $CHAINIDX_DATABASE_URL (a value starting with $ is an environment reference). `rpcUrl` is one
/// URL or a list (the first preferred).
function writeConfig(dir, { name = 'anvil', rpcUrl, chainId = 31337, pollMs = 200, confirmations = 0, startBlock = 0, finality = 'tags', extra = '', file: fileName }) {
  const file = path.join(dir, fileName || `chainidx-${name}.toml`);
  const text = `# Written by tests/evm for a local anvil chain.
[database]
url = "$CHAINIDX_DATABASE_URL"

[chains.${name}]
family = "evm"
chain_id = ${chainId}
rpc = [${[].concat(rpcUrl).map((u) => `"${u}"`).join(', ')}]
finality = "${finality}"
confirmations = ${confirmations}
start_block = ${startBlock}
poll_interval_ms = ${pollMs}
${extra}`;
  fs.writeFileSync(file, text);
  return file;
}

module.exports = { writeConfig };
