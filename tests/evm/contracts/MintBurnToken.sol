// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "./ERC20.sol";

/// ERC-20 whose owner mints (Transfer(0x0, to, amount)) and whose holders burn
/// (Transfer(holder, 0x0, amount)). Starts with no supply.
contract MintBurnToken is ERC20 {
    address public immutable owner;

    constructor() ERC20("Mint Burn Token", "MBT", 18) {
        owner = msg.sender;
    }

    function mint(address to, uint256 amount) external {
        require(msg.sender == owner, "MintBurnToken: not owner");
        _mint(to, amount);
    }

    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }
}
