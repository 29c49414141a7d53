// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "./ERC20.sol";

/// A standard ERC-20 with 18 decimals; the whole supply is minted to the deployer.
contract Token18 is ERC20 {
    constructor(uint256 supply) ERC20("Token Eighteen", "T18", 18) {
        _mint(msg.sender, supply);
    }
}
