// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";

/// @title VerifyGasProbe
/// @author credroot contributors
/// @notice Test-only probe of the `verify` gas benchmark (bench/gas.ts, P2): what another contract
/// spends calling `ICredentialRegistry.verify`, measured from inside that contract (ABI encoding of
/// the proof, the call itself with its cold account access, the registry's work and the decoding of
/// the answer), without the transaction's base cost and calldata. Read it with `eth_call`.
contract VerifyGasProbe {
    /// @notice Calls `registry.verify(issuerId, batchId, root, digest, proof)` and reports the gas it took.
    /// @param registry The registry to ask.
    /// @param issuerId The issuer the credential names.
    /// @param batchId The batch the credential names.
    /// @param root The Merkle root of the batch.
    /// @param digest The credential digest.
    /// @param proof Sibling hashes from the leaf up to the root.
    /// @return gasUsed Gas between just before the call and just after its answer was decoded.
    /// @return status The registry's verdict, so that the caller can check it measured a valid proof.
    function measureVerify(
        ICredentialRegistry registry,
        uint64 issuerId,
        bytes16 batchId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (uint256 gasUsed, ICredentialRegistry.Status status) {
        uint256 before = gasleft();
        ICredentialRegistry.Verification memory result = registry.verify(
            issuerId,
            batchId,
            root,
            digest,
            proof
        );
        gasUsed = before - gasleft();
        status = result.status;
    }
}
