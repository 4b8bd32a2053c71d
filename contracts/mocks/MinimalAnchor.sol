// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title MinimalAnchor
/// @notice Test-only baseline of the `anchor` gas benchmark (bench/gas.ts, P1): the least an anchor
/// can do, one role check, one new storage slot and one event, against which
/// `CredentialRegistry.anchor` is compared with the same arguments. Never deploy it for real: it
/// neither refuses a second anchor of a root nor knows issuers.
contract MinimalAnchor is AccessControl {
    /// @notice Role of the accounts allowed to anchor.
    bytes32 public constant ANCHOR_ROLE = keccak256("ANCHOR_ROLE");

    mapping(bytes32 root => uint256 anchoredAt) private _anchoredAt;

    /// @notice A batch of `count` credentials with Merkle root `root` was anchored.
    /// @param uri Where the batch metadata is published (may be empty).
    event Anchored(bytes32 indexed root, uint64 count, string uri);

    /// @param anchorer The one account granted `ANCHOR_ROLE`.
    constructor(address anchorer) {
        _grantRole(ANCHOR_ROLE, anchorer);
    }

    /// @notice Records `root` (one new storage slot) and emits {Anchored}.
    /// @param root Merkle root of the batch.
    /// @param count Number of credentials in the batch (only in the event).
    /// @param uri Batch metadata URI (only in the event).
    function anchor(bytes32 root, uint64 count, string calldata uri) external onlyRole(ANCHOR_ROLE) {
        _anchoredAt[root] = block.timestamp;
        emit Anchored(root, count, uri);
    }
}
