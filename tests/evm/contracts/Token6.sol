// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "./ERC20.sol";

/// A standard ERC-20 with 6 decimals (USDC-like); the whole supply is minted to the deployer.
contract Token6 is ERC20 {
    constructor(uint256 supply) ERC20("Token Six", "T6", 6) {
        _mint(msg.sender, supply);
    }
}
