// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "./ERC20.sol";

/// Fee-on-transfer ERC-20: 1% of every transfer (rounded down) goes to `collector`.
/// A transfer of `amount` emits Transfer(from, to, amount - fee) and, when the fee is not zero,
/// Transfer(from, collector, fee), so the events explain balanceOf exactly.
contract FeeToken is ERC20 {
    address public immutable collector;

    constructor(uint256 supply, address collector_) ERC20("Fee Token", "FEE", 18) {
        require(collector_ != address(0), "FeeToken: collector zero");
        collector = collector_;
        _mint(msg.sender, supply);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        require(to != address(0), "ERC20: to zero");
        uint256 fee = amount / 100;
        uint256 net = amount - fee;
        _debit(from, amount);
        balanceOf[to] += net;
        emit Transfer(from, to, net);
        if (fee != 0) {
            balanceOf[collector] += fee;
            emit Transfer(from, collector, fee);
        }
    }
}
