// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Minimal ERC-721: anyone may mint a fresh id; transferFrom by the holder or an approved address.
/// Its Transfer event has the tokenId indexed (4 topics, empty data): an indexer of ERC-20
/// balances must not count it.
contract Nft721 {
    string public constant name = "Test NFT";
    string public constant symbol = "NFT";
    mapping(uint256 => address) public ownerOf;
    mapping(address => uint256) public balanceOf;
    mapping(uint256 => address) public getApproved;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);

    function mint(address to, uint256 tokenId) external {
        require(to != address(0), "ERC721: mint to zero");
        require(ownerOf[tokenId] == address(0), "ERC721: minted");
        ownerOf[tokenId] = to;
        balanceOf[to] += 1;
        emit Transfer(address(0), to, tokenId);
    }

    function approve(address to, uint256 tokenId) external {
        require(msg.sender == ownerOf[tokenId], "ERC721: not owner");
        getApproved[tokenId] = to;
        emit Approval(msg.sender, to, tokenId);
    }

    function transferFrom(address from, address to, uint256 tokenId) external {
        require(ownerOf[tokenId] == from && from != address(0), "ERC721: wrong from");
        require(to != address(0), "ERC721: to zero");
        require(msg.sender == from || msg.sender == getApproved[tokenId], "ERC721: not allowed");
        delete getApproved[tokenId];
        balanceOf[from] -= 1;
        balanceOf[to] += 1;
        ownerOf[tokenId] = to;
        emit Transfer(from, to, tokenId);
    }
}
