// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title MinimalAnchor
/// @author credroot contributors
/// @notice Test-only baseline of the `anchor` gas benchmark (bench/gas.ts, P1): the least an anchor
/// can do, one role check, one new storage slot and one event, against which
/// `CredentialRegistry.anchor` is compared with the same arguments (same selector, same calldata).
/// Never deploy it for real: it neither refuses a second anchor of a batch id nor knows issuers.
contract MinimalAnchor is AccessControl {
    /// @notice Role of the accounts allowed to anchor.
    bytes32 public constant ANCHOR_ROLE = keccak256("ANCHOR_ROLE");

    mapping(bytes16 batchId => bytes32 root) private _roots;

    /// @notice Batch `batchId`, `count` credentials with Merkle root `root`, was anchored.
    /// @param batchId The batch id.
    /// @param root Merkle root of the batch.
    /// @param count Number of credentials in the batch.
    /// @param uri Where the batch metadata is published (may be empty).
    event Anchored(bytes16 indexed batchId, bytes32 indexed root, uint64 count, string uri);

    /// @notice Deploys the baseline with one anchoring account.
    /// @param anchorer The one account granted `ANCHOR_ROLE`.
    constructor(address anchorer) {
        _grantRole(ANCHOR_ROLE, anchorer);
    }

    /// @notice Records `root` under `batchId` (one new storage slot) and emits {Anchored}.
    /// @param batchId The batch id.
    /// @param root Merkle root of the batch.
    /// @param count Number of credentials in the batch (only in the event).
    /// @param uri Batch metadata URI (only in the event).
    function anchor(
        bytes16 batchId,
        bytes32 root,
        uint64 count,
        string calldata uri
    ) external onlyRole(ANCHOR_ROLE) {
        _roots[batchId] = root;
        emit Anchored(batchId, root, count, uri);
    }
}
