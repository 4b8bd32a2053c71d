// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";

/// @title VerifyGasProbe
/// @notice Test-only probe of the `verify` gas benchmark (bench/gas.ts, P2): what another contract
/// spends calling `ICredentialRegistry.verify`, measured from inside that contract (ABI encoding of
/// the proof, the call itself with its cold account access, the registry's work and the decoding of
/// the answer), without the transaction's base cost and calldata. Read it with `eth_call`.
contract VerifyGasProbe {
    /// @notice Calls `registry.verify(root, leaf, proof)` and reports the gas the call took.
    /// @param registry The registry to ask.
    /// @param root Merkle root of the batch.
    /// @param leaf The credential's leaf.
    /// @param proof Sibling hashes from the leaf up to the root.
    /// @return gasUsed Gas between just before the call and just after its answer was decoded.
    /// @return status The registry's verdict, so that the caller can check it measured a valid proof.
    function measureVerify(
        ICredentialRegistry registry,
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (uint256 gasUsed, ICredentialRegistry.Status status) {
        uint256 before = gasleft();
        ICredentialRegistry.Verification memory result = registry.verify(root, leaf, proof);
        gasUsed = before - gasleft();
        status = result.status;
    }
}
