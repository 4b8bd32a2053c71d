// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ICredentialRegistry (format v2)
/// @author credroot contributors
/// @notice Anchors Merkle roots of micro-credential batches on behalf of accredited issuers, and
/// answers, in one call, whether a credential belongs to an anchored, unrevoked batch of the issuer
/// it names, accredited when the batch was anchored. No personal data is ever stored: only roots,
/// leaves and issuer records.
/// @dev Every credential is bound to where and by whom it is anchored: its Merkle leaf is
/// `keccak256(bytes.concat(keccak256(abi.encode(chainId, registry, issuerId, batchId, digest))))`
/// (OpenZeppelin StandardMerkleTree's double hash of the types
/// `uint256, address, uint64, bytes16, bytes32`), and every view derives that leaf on chain from the
/// digest, so no view can be fooled by an internal node offered as a leaf, and a leaf anchored by
/// another issuer, in another batch or on another registry never verifies. Anchors live in a
/// namespace per issuer and batch id (`issuerId`, `batchId`, `root` → anchoring time, one storage
/// slot), so copying a pending root blocks no one. A batch revocation is kept per issuer and batch
/// id, whatever root the batch id is anchored with, and a credential revocation per issuer and
/// digest, so it holds in every batch the same credential could ever be anchored in: no
/// re-anchoring escapes either. Internal nodes hash
/// sorted pairs, as OpenZeppelin `MerkleProof` does.
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

    /// @notice An institution allowed to anchor batches: the awarding body of its credentials.
    /// @param accreditedUntil First timestamp at which the issuer is no longer accredited
    /// (`type(uint64).max` while accreditation stands). Batches anchored at or after it do not verify.
    /// @param active False once the accreditor deactivated the issuer: it can anchor no more, its
    /// earlier batches stay valid.
    /// @param name Name of the awarding body, as verifiers show it.
    /// @param uri Website, DID or other metadata URI of the issuer.
    struct Issuer {
        uint64 accreditedUntil;
        bool active;
        string name;
        string uri;
    }

    /// @notice What the registry records of a batch root.
    /// @param anchoredAt Block timestamp (seconds since the epoch) at which the issuer anchored the
    /// root under the batch id, 0 if it did not.
    /// @param revokedAt Block timestamp of the revocation of the batch id, 0 if not revoked.
    struct Batch {
        uint64 anchoredAt;
        uint64 revokedAt;
    }

    /// @notice Everything an off-chain verifier needs from the chain about one credential.
    /// @param status The first failing check, or `Valid`.
    /// @param leaf The credential's leaf, derived on chain from the request.
    /// @param anchoredAt When the issuer anchored the root under the batch id (0 if not anchored).
    /// @param batchRevokedAt When the batch was revoked (0 if not).
    /// @param credentialRevokedAt When the issuer revoked this credential's digest (0 if not).
    /// @param accreditedUntil The issuer's end of accreditation (`type(uint64).max` while it stands).
    struct Verification {
        Status status;
        bytes32 leaf;
        uint64 anchoredAt;
        uint64 batchRevokedAt;
        uint64 credentialRevokedAt;
        uint64 accreditedUntil;
    }

    /// @notice One credential to check: what its bundle says of where it is anchored, its digest
    /// and its Merkle path.
    /// @param issuerId The issuer the credential names (committed to by its leaf).
    /// @param batchId The issuer's batch the credential names (committed to by its leaf).
    /// @param root The Merkle root of the batch the credential names.
    /// @param digest The credential digest (over its salted field hashes).
    /// @param proof Sibling hashes from the leaf up to the root.
    struct VerifyRequest {
        uint64 issuerId;
        bytes16 batchId;
        bytes32 root;
        bytes32 digest;
        bytes32[] proof;
    }

    /// @notice What the registry records of an issuer's credential-signing key (a `did:key` Ed25519
    /// public key), kept for good once added so that credentials signed before a rotation verify.
    /// @param addedAt Block timestamp at which the accreditor recorded the key (0 if it is not
    /// recorded for that issuer).
    /// @param retiredAt Block timestamp at which it was retired (`type(uint64).max` while in use).
    /// @param compromised Whether it was retired as compromised: then no signature by it is accepted.
    struct IssuerKey {
        uint64 addedAt;
        uint64 retiredAt;
        bool compromised;
    }

    // ---------------------------------------------------------------- events

    /// @notice An accreditor registered a new issuer with its first signer.
    /// @param issuerId The new issuer's id.
    /// @param name Name of the awarding body.
    /// @param uri Website, DID or other metadata URI.
    /// @param signer The issuer's first signer.
    event IssuerRegistered(uint64 indexed issuerId, string name, string uri, address indexed signer);

    /// @notice An accreditor changed an issuer's name or metadata URI.
    /// @param issuerId The issuer.
    /// @param name Its new name.
    /// @param uri Its new metadata URI.
    event IssuerUpdated(uint64 indexed issuerId, string name, string uri);

    /// @notice An accreditor deactivated (`active == false`) or reactivated an issuer.
    /// @param issuerId The issuer.
    /// @param active Whether it may anchor from now on.
    event IssuerActiveSet(uint64 indexed issuerId, bool active);

    /// @notice An accreditor withdrew an issuer's accreditation from `effectiveFrom` onwards.
    /// @param issuerId The issuer.
    /// @param effectiveFrom First timestamp at which it is no longer accredited.
    /// @param reason Why, in words.
    event AccreditationWithdrawn(uint64 indexed issuerId, uint64 effectiveFrom, string reason);

    /// @notice `signer` may now anchor and revoke for `issuerId`.
    /// @param issuerId The issuer.
    /// @param signer The address added.
    /// @param by Who added it (a signer of the issuer or the accreditor).
    event SignerAdded(uint64 indexed issuerId, address indexed signer, address indexed by);

    /// @notice `signer` may no longer act for `issuerId`; it can never serve another issuer.
    /// @param issuerId The issuer.
    /// @param signer The address removed.
    /// @param by Who removed it (a signer of the issuer or the accreditor).
    event SignerRemoved(uint64 indexed issuerId, address indexed signer, address indexed by);

    /// @notice Batch `batchId` of `issuerId`, `count` credentials with Merkle root `root`, was anchored.
    /// @param issuerId The issuer whose signer anchored it.
    /// @param batchId The issuer's id for the batch.
    /// @param root The batch's Merkle root.
    /// @param signer The signer that sent the transaction.
    /// @param count Number of credentials in the batch.
    /// @param uri Where the issuer publishes batch metadata (may be empty); never personal data.
    event BatchAnchored(
        uint64 indexed issuerId,
        bytes16 indexed batchId,
        bytes32 indexed root,
        address signer,
        uint64 count,
        string uri
    );

    /// @notice Every credential of batch `batchId` of `issuerId` is revoked.
    /// @param issuerId The batch's issuer.
    /// @param batchId The batch.
    /// @param signer The signer that revoked it.
    /// @param reason Why, in words a verifier may be shown; never personal data.
    event BatchRevoked(uint64 indexed issuerId, bytes16 indexed batchId, address signer, string reason);

    /// @notice The credential with digest `digest` of `issuerId` is revoked, in whatever batch it is.
    /// @param issuerId The credential's issuer.
    /// @param digest The credential digest.
    /// @param signer The signer that revoked it.
    /// @param reason Why, in words a verifier may be shown; never personal data.
    event CredentialRevoked(uint64 indexed issuerId, bytes32 indexed digest, address signer, string reason);

    /// @notice The accreditor recorded `publicKey` as a credential-signing key of `issuerId`.
    /// @param issuerId The issuer.
    /// @param publicKey The raw 32-byte Ed25519 public key of its `did:key`.
    event IssuerKeyAdded(uint64 indexed issuerId, bytes32 indexed publicKey);

    /// @notice The accreditor retired `publicKey` of `issuerId`, as compromised or not.
    /// @param issuerId The issuer.
    /// @param publicKey The key.
    /// @param compromised True when no signature by the key is to be accepted any more, whenever made.
    event IssuerKeyRetired(uint64 indexed issuerId, bytes32 indexed publicKey, bool compromised);

    // ---------------------------------------------------------------- errors

    /// @notice The Merkle root is zero.
    error ZeroRoot();

    /// @notice The batch id is zero.
    error ZeroBatchId();

    /// @notice A batch must hold at least one credential.
    error ZeroCount();

    /// @notice The address is the zero address.
    error ZeroAddress();

    /// @notice An issuer needs a non-empty name.
    error EmptyIssuerName();

    /// @notice `issuerId` already anchored `root` under batch id `batchId`.
    /// @param issuerId The issuer.
    /// @param batchId The batch id.
    /// @param root The root it was anchored with.
    error BatchAlreadyAnchored(uint64 issuerId, bytes16 batchId, bytes32 root);

    /// @notice Batch `batchId` of `issuerId` was already revoked at `revokedAt`.
    /// @param issuerId The issuer.
    /// @param batchId The batch id.
    /// @param revokedAt When it was revoked.
    error BatchAlreadyRevoked(uint64 issuerId, bytes16 batchId, uint64 revokedAt);

    /// @notice Credential `digest` of `issuerId` was already revoked at `revokedAt`.
    /// @param issuerId The issuer.
    /// @param digest The credential digest.
    /// @param revokedAt When it was revoked.
    error CredentialAlreadyRevoked(uint64 issuerId, bytes32 digest, uint64 revokedAt);

    /// @notice No issuer has id `issuerId`.
    /// @param issuerId The id asked for.
    error UnknownIssuer(uint64 issuerId);

    /// @notice `account` is not an active signer of any issuer.
    /// @param account The caller.
    error NotASigner(address account);

    /// @notice `account` may not act for `issuerId`.
    /// @param account The caller.
    /// @param issuerId The issuer it tried to act for.
    error NotIssuerSigner(address account, uint64 issuerId);

    /// @notice `issuerId` was deactivated and cannot anchor.
    /// @param issuerId The issuer.
    error IssuerInactive(uint64 issuerId);

    /// @notice `issuerId` is not accredited since `accreditedUntil`.
    /// @param issuerId The issuer.
    /// @param accreditedUntil The end of its accreditation.
    error IssuerNotAccredited(uint64 issuerId, uint64 accreditedUntil);

    /// @notice The issuer is already in the requested active state.
    /// @param issuerId The issuer.
    /// @param active The state asked for.
    error IssuerActiveUnchanged(uint64 issuerId, bool active);

    /// @notice A withdrawal may only move the end of accreditation earlier than `accreditedUntil`.
    /// @param issuerId The issuer.
    /// @param accreditedUntil The current end of accreditation.
    /// @param requested The end asked for.
    error AccreditationNotShortened(uint64 issuerId, uint64 accreditedUntil, uint64 requested);

    /// @notice `signer` is or was a signer of `issuerId`: an address serves one issuer, ever.
    /// @param signer The address.
    /// @param issuerId The issuer it serves or served.
    error SignerAlreadyAssigned(address signer, uint64 issuerId);

    /// @notice `signer` is not an active signer of `issuerId`.
    /// @param signer The address.
    /// @param issuerId The issuer.
    error SignerNotAssigned(address signer, uint64 issuerId);

    /// @notice `issuerId` already has the most signers allowed.
    /// @param issuerId The issuer.
    /// @param max The cap, `MAX_SIGNERS`.
    error TooManySigners(uint64 issuerId, uint256 max);

    /// @notice The public key is zero.
    error ZeroPublicKey();

    /// @notice `publicKey` is or was recorded for `issuerId`: a key serves one issuer, ever.
    /// @param publicKey The key.
    /// @param issuerId The issuer it is recorded for.
    error IssuerKeyAlreadyUsed(bytes32 publicKey, uint64 issuerId);

    /// @notice `publicKey` is not a key recorded for `issuerId`.
    /// @param issuerId The issuer.
    /// @param publicKey The key.
    error IssuerKeyNotOfIssuer(uint64 issuerId, bytes32 publicKey);

    /// @notice `publicKey` of `issuerId` was already retired at `retiredAt` (and, when asked again,
    /// already as compromised, or the new request does not mark it compromised).
    /// @param issuerId The issuer.
    /// @param publicKey The key.
    /// @param retiredAt When it was retired.
    error IssuerKeyAlreadyRetired(uint64 issuerId, bytes32 publicKey, uint64 retiredAt);

    /// @notice `issuerId` already has the most keys allowed, retired ones included.
    /// @param issuerId The issuer.
    /// @param max The cap, `MAX_ISSUER_KEYS`.
    error TooManyIssuerKeys(uint64 issuerId, uint256 max);

    // ---------------------------------------------------------------- accreditor

    /// @notice Registers an issuer with its first signer. Only the accreditor role.
    /// @param name Name of the awarding body (non-empty).
    /// @param uri Website, DID or other metadata URI.
    /// @param signer First address allowed to anchor and revoke for the issuer; one that never
    /// served another issuer.
    /// @return issuerId The new issuer's id, assigned sequentially from 1.
    function registerIssuer(
        string calldata name,
        string calldata uri,
        address signer
    ) external returns (uint64 issuerId);

    /// @notice Changes an issuer's name and metadata URI. Only the accreditor role.
    /// @param issuerId The issuer.
    /// @param name The new name (non-empty).
    /// @param uri The new metadata URI.
    function updateIssuer(uint64 issuerId, string calldata name, string calldata uri) external;

    /// @notice Deactivates or reactivates an issuer. Only the accreditor role. Constant gas.
    /// @dev A deactivated issuer cannot anchor; batches it anchored before stay valid. Use
    /// `withdrawAccreditation` to invalidate batches from a point in time.
    /// @param issuerId The issuer.
    /// @param active Whether it may anchor.
    function setIssuerActive(uint64 issuerId, bool active) external;

    /// @notice Withdraws an issuer's accreditation from `effectiveFrom`, which may lie in the past
    /// (a key found to be compromised last month). Batches anchored at or after it verify as
    /// `IssuerNotAccredited`; earlier ones stay valid; the issuer cannot anchor any more.
    /// Only the accreditor role. Can be repeated only to move the date earlier. Constant gas.
    /// @param issuerId The issuer.
    /// @param effectiveFrom First timestamp at which it is no longer accredited.
    /// @param reason Why, in words.
    function withdrawAccreditation(uint64 issuerId, uint64 effectiveFrom, string calldata reason) external;

    // ---------------------------------------------------------------- issuer signers

    /// @notice Allows `signer` to act for `issuerId`. By an active signer of that issuer or the
    /// accreditor. An address that ever served another issuer is refused; at most `MAX_SIGNERS`.
    /// @param issuerId The issuer.
    /// @param signer The address to add.
    function addSigner(uint64 issuerId, address signer) external;

    /// @notice Stops `signer` acting for `issuerId`. By an active signer of that issuer or the
    /// accreditor. The address stays bound to `issuerId`: it can never serve another issuer.
    /// @param issuerId The issuer.
    /// @param signer The address to remove.
    function removeSigner(uint64 issuerId, address signer) external;

    // ---------------------------------------------------------------- issuer keys
    //
    // An issuer's credentials may also travel as signed W3C credentials (Data Integrity
    // `eddsa-rdfc-2022`, VC-JOSE, SD-JWT VC) whose signing key is a `did:key` Ed25519 key
    // (`did:key:z6Mk…`: multicodec 0xed01 + the 32-byte key, base58btc). The accreditor records those
    // keys here, with their history. Rule for verifiers: a signature made at time `t` (the proof's
    // `created`, a JWT's `iat`) by key `k` for a credential of issuer `i` is accepted when
    // `getIssuerKey(i, k)` has `addedAt != 0 && addedAt <= t`, `compromised == false`, and
    // `t < retiredAt` (always true while in use: `retiredAt == type(uint64).max`). A compromised key is
    // never accepted, whatever time the signature claims. Anchoring and `verify` never read keys.

    /// @notice Records `publicKey` as a credential-signing key of `issuerId`. Only the accreditor
    /// role. A key once recorded for an issuer can never be recorded again, for it or any other
    /// issuer. At most `MAX_ISSUER_KEYS` per issuer, retired ones included.
    /// @dev Reverts `ZeroPublicKey`, `UnknownIssuer`, `IssuerKeyAlreadyUsed`, `TooManyIssuerKeys`.
    /// @param issuerId The issuer.
    /// @param publicKey The raw 32-byte Ed25519 public key of the issuer's `did:key`.
    function addIssuerKey(uint64 issuerId, bytes32 publicKey) external;

    /// @notice Retires `publicKey` of `issuerId` from now on: signatures made before stay accepted,
    /// unless `compromised`, which refuses every signature by the key. Only the accreditor role. The key
    /// stays in the history. A key retired as not compromised may later be marked compromised by
    /// calling again with `compromised == true` (its `retiredAt` is kept).
    /// @dev Reverts `UnknownIssuer`, `IssuerKeyNotOfIssuer`, `IssuerKeyAlreadyRetired`.
    /// @param issuerId The issuer.
    /// @param publicKey The key.
    /// @param compromised Whether the key is known or feared to be in other hands.
    function retireIssuerKey(uint64 issuerId, bytes32 publicKey, bool compromised) external;

    // ---------------------------------------------------------------- batches

    /// @notice Anchors batch `batchId` with Merkle root `root` of `count` credentials for the
    /// caller's issuer. Each (batch id, root) is anchored once per issuer.
    /// @dev One new storage slot (the anchoring time); `count` and `uri` live only in the event.
    /// Reverts `ZeroBatchId`, `ZeroRoot`, `ZeroCount`, `NotASigner`, `IssuerInactive`,
    /// `IssuerNotAccredited`, `BatchAlreadyAnchored`.
    /// @param batchId The issuer's id for the batch, committed to by every leaf of the batch.
    /// @param root The batch's Merkle root.
    /// @param count Number of credentials in the batch.
    /// @param uri Where the issuer publishes batch metadata (may be empty); never personal data.
    function anchor(bytes16 batchId, bytes32 root, uint64 count, string calldata uri) external;

    /// @notice Revokes every credential of the caller's issuer's batch `batchId`, under every root
    /// it is or will ever be anchored with.
    /// @param batchId The batch.
    /// @param reason Why, in words a verifier may be shown; never personal data.
    function revokeBatch(bytes16 batchId, string calldata reason) external;

    /// @notice Revokes the caller's issuer's credential with digest `digest`, in every batch, for good.
    /// @param digest The credential digest.
    /// @param reason Why, in words a verifier may be shown; never personal data.
    function revokeCredential(bytes32 digest, string calldata reason) external;

    // ---------------------------------------------------------------- views

    /// @notice Checks a credential: derives its leaf from `digest` and where it says it is anchored,
    /// then checks `proof` leads from the leaf to `root`, the issuer anchored `root` under the batch
    /// id, the issuer was accredited then, and neither batch nor credential is revoked.
    /// @param issuerId The issuer the credential names.
    /// @param batchId The batch the credential names.
    /// @param root The Merkle root of the batch the credential names.
    /// @param digest The credential digest.
    /// @param proof Sibling hashes from the leaf up to the root.
    /// @return result The first failing status (or `Valid`) and the records behind it.
    function verify(
        uint64 issuerId,
        bytes16 batchId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (Verification memory result);

    /// @notice `verify` plus the issuer's record, for off-chain verifiers: one `eth_call`.
    /// @param issuerId The issuer the credential names.
    /// @param batchId The batch the credential names.
    /// @param root The Merkle root of the batch the credential names.
    /// @param digest The credential digest.
    /// @param proof Sibling hashes from the leaf up to the root.
    /// @return result As `verify`.
    /// @return issuer The record of `issuerId` (all zero for an unknown issuer).
    function verifyWithIssuer(
        uint64 issuerId,
        bytes16 batchId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (Verification memory result, Issuer memory issuer);

    /// @notice `verifyWithIssuer` for each request, in one `eth_call`: a presentation of several
    /// credentials is checked with a single round trip.
    /// @dev `results[i]` and `issuers[i]` are exactly what `verifyWithIssuer` answers for
    /// `requests[i]`. An empty array gives two empty arrays. Unbounded: the caller sizes its
    /// requests to the node's `eth_call` gas cap.
    /// @param requests The credentials to check.
    /// @return results One verification per request, in order.
    /// @return issuers The issuer record behind each verification, in order.
    function verifyMany(
        VerifyRequest[] calldata requests
    ) external view returns (Verification[] memory results, Issuer[] memory issuers);

    /// @notice The Merkle leaf of a credential with digest `digest` in batch `batchId` of
    /// `issuerId` on this registry and chain.
    /// @param issuerId The issuer.
    /// @param batchId The batch.
    /// @param digest The credential digest.
    /// @return The leaf.
    function leafOf(uint64 issuerId, bytes16 batchId, bytes32 digest) external view returns (bytes32);

    /// @notice When `issuerId` anchored `root` under batch id `batchId`, and when it revoked the batch.
    /// @param issuerId The issuer.
    /// @param batchId The batch.
    /// @param root The root.
    /// @return The record (all zero if never anchored nor revoked).
    function getBatch(uint64 issuerId, bytes16 batchId, bytes32 root) external view returns (Batch memory);

    /// @notice Timestamp at which `issuerId` revoked the credential `digest`, 0 if it did not.
    /// @param issuerId The issuer.
    /// @param digest The credential digest.
    /// @return The revocation time.
    function credentialRevokedAt(uint64 issuerId, bytes32 digest) external view returns (uint64);

    /// @notice The record of issuer `issuerId`. Reverts `UnknownIssuer`.
    /// @param issuerId The issuer.
    /// @return The issuer record.
    function getIssuer(uint64 issuerId) external view returns (Issuer memory);

    /// @notice The issuer `account` actively signs for, 0 if none.
    /// @param account The address.
    /// @return The issuer id.
    function issuerOf(address account) external view returns (uint64);

    /// @notice The issuer `account` is bound to, active or removed, 0 if it never served one.
    /// @param account The address.
    /// @return issuerId The issuer it serves or served.
    /// @return active Whether it may still act for that issuer.
    function signerRecord(address account) external view returns (uint64 issuerId, bool active);

    /// @notice The active signers of `issuerId`, at most `MAX_SIGNERS`. Reverts `UnknownIssuer`.
    /// @param issuerId The issuer.
    /// @return The signer addresses, in no particular order.
    function getSigners(uint64 issuerId) external view returns (address[] memory);

    /// @notice The record of `publicKey` as a key of `issuerId`: all zero when it is not recorded for
    /// that issuer (never added, or added for another one). One `eth_call` gives a verifier all it needs.
    /// @param issuerId The issuer.
    /// @param publicKey The key.
    /// @return The key record.
    function getIssuerKey(uint64 issuerId, bytes32 publicKey) external view returns (IssuerKey memory);

    /// @notice Every key ever recorded for `issuerId`, retired ones included, in the order added.
    /// At most `MAX_ISSUER_KEYS`. Reverts `UnknownIssuer`.
    /// @param issuerId The issuer.
    /// @return The public keys.
    function getIssuerKeys(uint64 issuerId) external view returns (bytes32[] memory);

    /// @notice The issuer `publicKey` is or was recorded for, 0 if none.
    /// @param publicKey The key.
    /// @return The issuer id.
    function issuerOfKey(bytes32 publicKey) external view returns (uint64);

    /// @notice Number of issuers registered; ids run from 1 to this number.
    /// @return The count.
    function issuerCount() external view returns (uint64);
}
