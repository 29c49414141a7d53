// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A pre-standard token whose Transfer event has no indexed parameters: one topic and 96 bytes
/// of data, which no indexer can read as an ERC-20 Transfer (chainidx makes it a dead letter).
contract UnindexedTransferToken {
    event Transfer(address from, address to, uint256 value);

    mapping(address => uint256) public balanceOf;

    constructor(uint256 supply) {
        balanceOf[msg.sender] = supply;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}
