// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ICredentialRegistry
/// @notice Anchors Merkle roots of micro-credential batches on behalf of accredited issuers, and
/// answers, in one call, whether a credential (a leaf) belongs to an anchored, unrevoked batch of an
/// issuer that was accredited when the batch was anchored. No personal data is ever stored: only
/// roots, leaves and issuer records.
/// @dev Leaves are `keccak256(bytes.concat(keccak256(abi.encode(digest))))` (OpenZeppelin
/// StandardMerkleTree's double hash) and internal nodes hash sorted pairs, as OpenZeppelin
/// `MerkleProof` does. `verify` trusts the caller to have derived `leaf` from a credential digest;
/// `verifyCredential` derives it on chain and is the safer entry point for contracts.
interface ICredentialRegistry {
    /// @notice Verdict of `verify`, from the first failing check to `Valid`.
    enum Status {
        Valid,
        NotAnchored,
        BadProof,
        BatchRevoked,
        CredentialRevoked,
        IssuerNotAccredited
    }

    /// @notice An institution allowed to anchor batches.
    /// @param accreditedUntil First timestamp at which the issuer is no longer accredited
    /// (`type(uint64).max` while accreditation stands). Batches anchored at or after it do not verify.
    /// @param active False once the accreditor deactivated the issuer: it can anchor no more, its
    /// earlier batches stay valid.
    /// @param name Human-readable name of the awarding body.
    /// @param uri Website, DID or other metadata URI of the issuer.
    struct Issuer {
        uint64 accreditedUntil;
        bool active;
        string name;
        string uri;
    }

    /// @notice The on-chain record of an anchored batch; packed into a single storage slot.
    /// @param issuerId Issuer whose signer anchored the batch (0 if the root was never anchored).
    /// @param anchoredAt Block timestamp of the anchoring transaction.
    /// @param revokedAt Block timestamp of the batch revocation, 0 if not revoked.
    struct Batch {
        uint64 issuerId;
        uint64 anchoredAt;
        uint64 revokedAt;
    }

    /// @notice Everything an off-chain verifier needs from the chain about one credential.
    struct Verification {
        Status status;
        uint64 issuerId;
        uint64 anchoredAt;
        uint64 batchRevokedAt;
        uint64 credentialRevokedAt;
        uint64 accreditedUntil;
    }

    /// @notice One credential to check in `verifyMany`: the arguments of `verifyWithIssuer`.
    /// @param root Merkle root of the credential's batch.
    /// @param leaf The credential's leaf.
    /// @param proof Sibling hashes from the leaf up to the root.
    struct VerifyRequest {
        bytes32 root;
        bytes32 leaf;
        bytes32[] proof;
    }

    // ---------------------------------------------------------------- events

    /// @notice An accreditor registered a new issuer with its first signer.
    event IssuerRegistered(uint64 indexed issuerId, string name, string uri, address indexed signer);

    /// @notice An accreditor changed an issuer's name or metadata URI.
    event IssuerUpdated(uint64 indexed issuerId, string name, string uri);

    /// @notice An accreditor deactivated (`active == false`) or reactivated an issuer.
    event IssuerActiveSet(uint64 indexed issuerId, bool active);

    /// @notice An accreditor withdrew an issuer's accreditation from `effectiveFrom` onwards.
    event AccreditationWithdrawn(uint64 indexed issuerId, uint64 effectiveFrom, string reason);

    /// @notice `signer` may now anchor and revoke for `issuerId`.
    event SignerAdded(uint64 indexed issuerId, address indexed signer, address indexed by);

    /// @notice `signer` may no longer act for `issuerId`; batches it anchored keep their issuer.
    event SignerRemoved(uint64 indexed issuerId, address indexed signer, address indexed by);

    /// @notice A batch of `count` credentials with Merkle root `root` was anchored.
    /// @param uri Where the issuer publishes batch metadata (may be empty); never personal data.
    event BatchAnchored(
        bytes32 indexed root,
        uint64 indexed issuerId,
        address indexed signer,
        uint64 count,
        string uri
    );

    /// @notice Every credential of batch `root` is revoked.
    event BatchRevoked(bytes32 indexed root, uint64 indexed issuerId, address signer, string reason);

    /// @notice The credential `leaf` of batch `root` is revoked.
    event CredentialRevoked(
        bytes32 indexed root,
        bytes32 indexed leaf,
        uint64 indexed issuerId,
        address signer,
        string reason
    );

    // ---------------------------------------------------------------- errors

    /// @notice The Merkle root is zero.
    error ZeroRoot();

    /// @notice A batch must hold at least one credential.
    error ZeroCount();

    /// @notice The address is the zero address.
    error ZeroAddress();

    /// @notice An issuer needs a non-empty name.
    error EmptyIssuerName();

    /// @notice `root` was already anchored by `issuerId` at `anchoredAt`.
    error BatchAlreadyAnchored(bytes32 root, uint64 issuerId, uint64 anchoredAt);

    /// @notice `root` has never been anchored.
    error BatchNotAnchored(bytes32 root);

    /// @notice Batch `root` was already revoked at `revokedAt`.
    error BatchAlreadyRevoked(bytes32 root, uint64 revokedAt);

    /// @notice Credential `leaf` of batch `root` was already revoked at `revokedAt`.
    error CredentialAlreadyRevoked(bytes32 root, bytes32 leaf, uint64 revokedAt);

    /// @notice No issuer has id `issuerId`.
    error UnknownIssuer(uint64 issuerId);

    /// @notice `account` is not a signer of any issuer.
    error NotASigner(address account);

    /// @notice `account` may not act for `issuerId`.
    error NotIssuerSigner(address account, uint64 issuerId);

    /// @notice `issuerId` was deactivated and cannot anchor.
    error IssuerInactive(uint64 issuerId);

    /// @notice `issuerId` is not accredited since `accreditedUntil`.
    error IssuerNotAccredited(uint64 issuerId, uint64 accreditedUntil);

    /// @notice The issuer is already in the requested active state.
    error IssuerActiveUnchanged(uint64 issuerId, bool active);

    /// @notice A withdrawal may only move the end of accreditation earlier than `accreditedUntil`.
    error AccreditationNotShortened(uint64 issuerId, uint64 accreditedUntil, uint64 requested);

    /// @notice `signer` already acts for `issuerId` (a signer serves one issuer at most).
    error SignerAlreadyAssigned(address signer, uint64 issuerId);

    /// @notice `signer` does not act for `issuerId`.
    error SignerNotAssigned(address signer, uint64 issuerId);

    // ---------------------------------------------------------------- accreditor

    /// @notice Registers an issuer with its first signer. Only the accreditor role.
    /// @param name Name of the awarding body (non-empty).
    /// @param uri Website, DID or other metadata URI.
    /// @param signer First address allowed to anchor and revoke for the issuer.
    /// @return issuerId The new issuer's id, assigned sequentially from 1.
    function registerIssuer(
        string calldata name,
        string calldata uri,
        address signer
    ) external returns (uint64 issuerId);

    /// @notice Changes an issuer's name and metadata URI. Only the accreditor role.
    function updateIssuer(uint64 issuerId, string calldata name, string calldata uri) external;

    /// @notice Deactivates or reactivates an issuer. Only the accreditor role.
    /// @dev A deactivated issuer cannot anchor; batches it anchored before stay valid. Use
    /// `withdrawAccreditation` to invalidate batches from a point in time.
    function setIssuerActive(uint64 issuerId, bool active) external;

    /// @notice Withdraws an issuer's accreditation from `effectiveFrom`, which may lie in the past
    /// (a key found to be compromised last month). Batches anchored at or after it verify as
    /// `IssuerNotAccredited`; earlier ones stay valid; the issuer cannot anchor any more.
    /// Only the accreditor role. Can be repeated only to move the date earlier.
    function withdrawAccreditation(uint64 issuerId, uint64 effectiveFrom, string calldata reason) external;

    // ---------------------------------------------------------------- issuer signers

    /// @notice Allows `signer` to act for `issuerId`. By a signer of that issuer or the accreditor.
    function addSigner(uint64 issuerId, address signer) external;

    /// @notice Stops `signer` acting for `issuerId`. By a signer of that issuer or the accreditor.
    function removeSigner(uint64 issuerId, address signer) external;

    // ---------------------------------------------------------------- batches

    /// @notice Anchors the Merkle root of a batch of `count` credentials for the caller's issuer.
    /// @dev One new storage slot (the packed `Batch`); `count` and `uri` live only in the event.
    /// Reverts `ZeroRoot`, `ZeroCount`, `NotASigner`, `IssuerInactive`, `IssuerNotAccredited`,
    /// `BatchAlreadyAnchored`.
    function anchor(bytes32 root, uint64 count, string calldata uri) external;

    /// @notice Revokes every credential of batch `root`. Only a signer of the batch's issuer.
    function revokeBatch(bytes32 root, string calldata reason) external;

    /// @notice Revokes the credential `leaf` of batch `root`. Only a signer of the batch's issuer.
    function revokeCredential(bytes32 root, bytes32 leaf, string calldata reason) external;

    // ---------------------------------------------------------------- views

    /// @notice Checks a credential: batch anchored, `proof` leads from `leaf` to `root`, issuer
    /// accredited when the batch was anchored, batch and credential not revoked.
    /// @return result The first failing status (or `Valid`) and the records behind it.
    function verify(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (Verification memory result);

    /// @notice `verify` for a credential digest: derives the leaf on chain, so that an internal node
    /// of the tree can never be presented as a credential.
    function verifyCredential(
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (Verification memory result);

    /// @notice `verify` plus the issuer's record, for off-chain verifiers: one `eth_call`.
    function verifyWithIssuer(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (Verification memory result, Issuer memory issuer);

    /// @notice `verifyWithIssuer` for each request, in one `eth_call`: a presentation of several
    /// credentials is checked with a single round trip.
    /// @dev `results[i]` and `issuers[i]` are exactly what `verifyWithIssuer` answers for
    /// `requests[i]`; `issuers[i]` is all zero when the batch is not anchored. An empty array gives
    /// two empty arrays. Unbounded: the caller sizes its requests to the node's `eth_call` gas cap.
    /// @param requests The credentials to check.
    /// @return results One verification per request, in order.
    /// @return issuers The issuer record behind each verification, in order.
    function verifyMany(
        VerifyRequest[] calldata requests
    ) external view returns (Verification[] memory results, Issuer[] memory issuers);

    /// @notice The Merkle leaf of a credential digest.
    function leafOf(bytes32 digest) external pure returns (bytes32);

    /// @notice The batch record of `root` (all zero if never anchored).
    function getBatch(bytes32 root) external view returns (Batch memory);

    /// @notice Timestamp at which `leaf` of `root` was revoked, 0 if it was not.
    function credentialRevokedAt(bytes32 root, bytes32 leaf) external view returns (uint64);

    /// @notice The record of issuer `issuerId`. Reverts `UnknownIssuer`.
    function getIssuer(uint64 issuerId) external view returns (Issuer memory);

    /// @notice The issuer `account` signs for, 0 if none.
    function issuerOf(address account) external view returns (uint64);

    /// @notice Number of issuers registered; ids run from 1 to this number.
    function issuerCount() external view returns (uint64);
}
