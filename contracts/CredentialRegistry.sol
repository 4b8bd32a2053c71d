// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";

/// @title CredentialRegistry
/// @author credroot contributors
/// @notice See {ICredentialRegistry}. Roles: `DEFAULT_ADMIN_ROLE` (one holder, handed over in two
/// steps after a delay: OpenZeppelin `AccessControlDefaultAdminRules`) grants and revokes roles;
/// `ACCREDITOR_ROLE` registers, updates, deactivates issuers, withdraws their accreditation and
/// records and retires their credential-signing keys.
contract CredentialRegistry is ICredentialRegistry, AccessControlDefaultAdminRules {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Role of the accreditation body.
    bytes32 public constant ACCREDITOR_ROLE = keccak256("ACCREDITOR_ROLE");

    /// @notice Most active signers an issuer may have at once.
    uint256 public constant MAX_SIGNERS = 20;

    /// @notice Most credential-signing keys an issuer may ever have, retired ones included.
    uint256 public constant MAX_ISSUER_KEYS = 32;

    uint64 private constant _NOT_WITHDRAWN = type(uint64).max;

    /// @dev The issuer an address serves or served, and whether it still may act. An address stays
    /// bound to its issuer after removal, so it can never sign for another one.
    struct SignerRecord {
        uint64 issuerId;
        bool active;
    }

    /// @dev An issuer as stored: `Issuer` plus, in the first slot's 184 free bits, a one-hash Bloom
    /// filter of its revocations (one bit per revoked batch id, one per revoked digest, set by
    /// `revokeBatch` and `revokeCredential` and never cleared). `verify` reads this slot anyway; a
    /// clear bit proves that the batch id or the digest was never revoked, so the revocation's own
    /// slot need not be read. A set bit only means "maybe": the slot is read as before.
    struct IssuerRecord {
        uint64 accreditedUntil;
        bool active;
        uint184 revocationFilter;
        string name;
        string uri;
    }

    /// @dev A credential-signing key: the issuer it is bound to, for good, and its history. One slot.
    struct KeyRecord {
        uint64 issuerId;
        uint64 addedAt;
        uint64 retiredAt;
        bool compromised;
    }

    uint64 private _issuerCount;
    mapping(uint64 issuerId => IssuerRecord) private _issuers;
    mapping(address signer => SignerRecord) private _signerRecords;
    mapping(uint64 issuerId => EnumerableSet.AddressSet) private _issuerSigners;
    // Keyed by keccak256(abi.encode(issuerId, batchId, root)) (`_anchorSlot`): two hashes to find the
    // slot rather than three nested mappings' three.
    mapping(bytes32 anchorKey => uint64 anchoredAt) private _anchoredAt;
    mapping(uint64 issuerId => mapping(bytes16 batchId => uint64 revokedAt)) private _batchRevokedAt;
    mapping(uint64 issuerId => mapping(bytes32 digest => uint64 revokedAt)) private _credentialRevokedAt;
    // Issuer keys: never read by `anchor` or `verify`.
    mapping(bytes32 publicKey => KeyRecord) private _keyRecords;
    mapping(uint64 issuerId => bytes32[] publicKeys) private _issuerKeys;

    /// @notice Deploys the registry with its admin and first accreditor.
    /// @param adminDelay Seconds a new default admin must wait before accepting the role.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE` (a multisig in production).
    /// @param accreditor First holder of `ACCREDITOR_ROLE`.
    constructor(
        uint48 adminDelay,
        address admin,
        address accreditor
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (accreditor == address(0)) revert ZeroAddress();
        _grantRole(ACCREDITOR_ROLE, accreditor);
    }

    // ---------------------------------------------------------------- accreditor

    /// @inheritdoc ICredentialRegistry
    function registerIssuer(
        string calldata name,
        string calldata uri,
        address signer
    ) external onlyRole(ACCREDITOR_ROLE) returns (uint64 issuerId) {
        if (bytes(name).length == 0) revert EmptyIssuerName();
        issuerId = ++_issuerCount;
        _issuers[issuerId] = IssuerRecord({
            accreditedUntil: _NOT_WITHDRAWN,
            active: true,
            revocationFilter: 0,
            name: name,
            uri: uri
        });
        emit IssuerRegistered(issuerId, name, uri, signer);
        _addSigner(issuerId, signer);
    }

    /// @inheritdoc ICredentialRegistry
    function updateIssuer(
        uint64 issuerId,
        string calldata name,
        string calldata uri
    ) external onlyRole(ACCREDITOR_ROLE) {
        IssuerRecord storage issuer = _existingIssuer(issuerId);
        if (bytes(name).length == 0) revert EmptyIssuerName();
        issuer.name = name;
        issuer.uri = uri;
        emit IssuerUpdated(issuerId, name, uri);
    }

    /// @inheritdoc ICredentialRegistry
    function setIssuerActive(uint64 issuerId, bool active) external onlyRole(ACCREDITOR_ROLE) {
        IssuerRecord storage issuer = _existingIssuer(issuerId);
        if (issuer.active == active) revert IssuerActiveUnchanged(issuerId, active);
        issuer.active = active;
        emit IssuerActiveSet(issuerId, active);
    }

    /// @inheritdoc ICredentialRegistry
    function withdrawAccreditation(
        uint64 issuerId,
        uint64 effectiveFrom,
        string calldata reason
    ) external onlyRole(ACCREDITOR_ROLE) {
        IssuerRecord storage issuer = _existingIssuer(issuerId);
        uint64 current = issuer.accreditedUntil;
        // Only ever earlier: moving the date later would silently revalidate batches.
        if (effectiveFrom >= current) revert AccreditationNotShortened(issuerId, current, effectiveFrom);
        issuer.accreditedUntil = effectiveFrom;
        emit AccreditationWithdrawn(issuerId, effectiveFrom, reason);
    }

    // ---------------------------------------------------------------- issuer signers

    /// @inheritdoc ICredentialRegistry
    function addSigner(uint64 issuerId, address signer) external {
        _requireSignerOrAccreditor(issuerId);
        _addSigner(issuerId, signer);
    }

    /// @inheritdoc ICredentialRegistry
    function removeSigner(uint64 issuerId, address signer) external {
        _requireSignerOrAccreditor(issuerId);
        SignerRecord storage record = _signerRecords[signer];
        if (record.issuerId != issuerId || !record.active) revert SignerNotAssigned(signer, issuerId);
        record.active = false;
        _issuerSigners[issuerId].remove(signer);
        emit SignerRemoved(issuerId, signer, msg.sender);
    }

    // ---------------------------------------------------------------- issuer keys

    /// @inheritdoc ICredentialRegistry
    function addIssuerKey(uint64 issuerId, bytes32 publicKey) external onlyRole(ACCREDITOR_ROLE) {
        if (publicKey == bytes32(0)) revert ZeroPublicKey();
        _existingIssuer(issuerId);
        KeyRecord storage record = _keyRecords[publicKey];
        if (record.issuerId != 0) revert IssuerKeyAlreadyUsed(publicKey, record.issuerId);
        bytes32[] storage keys = _issuerKeys[issuerId];
        if (keys.length >= MAX_ISSUER_KEYS) revert TooManyIssuerKeys(issuerId, MAX_ISSUER_KEYS);
        keys.push(publicKey);
        _keyRecords[publicKey] = KeyRecord({
            issuerId: issuerId,
            addedAt: uint64(block.timestamp),
            retiredAt: _NOT_WITHDRAWN,
            compromised: false
        });
        emit IssuerKeyAdded(issuerId, publicKey);
    }

    /// @inheritdoc ICredentialRegistry
    function retireIssuerKey(
        uint64 issuerId,
        bytes32 publicKey,
        bool compromised
    ) external onlyRole(ACCREDITOR_ROLE) {
        _existingIssuer(issuerId);
        KeyRecord storage record = _keyRecords[publicKey];
        if (record.issuerId != issuerId) revert IssuerKeyNotOfIssuer(issuerId, publicKey);
        uint64 retiredAt = record.retiredAt;
        if (retiredAt != _NOT_WITHDRAWN) {
            // Retired already: only a later finding that the key was compromised changes it.
            if (record.compromised || !compromised)
                revert IssuerKeyAlreadyRetired(issuerId, publicKey, retiredAt);
        } else {
            record.retiredAt = uint64(block.timestamp);
        }
        record.compromised = compromised;
        emit IssuerKeyRetired(issuerId, publicKey, compromised);
    }

    // ---------------------------------------------------------------- batches

    /// @inheritdoc ICredentialRegistry
    function anchor(bytes16 batchId, bytes32 root, uint64 count, string calldata uri) external {
        if (batchId == bytes16(0)) revert ZeroBatchId();
        if (root == bytes32(0)) revert ZeroRoot();
        if (count == 0) revert ZeroCount();
        uint64 issuerId = _activeIssuerOf(msg.sender);
        IssuerRecord storage issuer = _issuers[issuerId];
        // Both from the one slot, read once.
        (bool active, uint64 accreditedUntil) = (issuer.active, issuer.accreditedUntil);
        if (!active) revert IssuerInactive(issuerId);
        if (block.timestamp >= accreditedUntil) revert IssuerNotAccredited(issuerId, accreditedUntil);
        uint256 slot = _anchorSlot(issuerId, batchId, root);
        uint256 anchored;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            anchored := sload(slot)
        }
        if (anchored != 0) revert BatchAlreadyAnchored(issuerId, batchId, root);
        // The slot holds the uint64 alone: written whole, without reading it back to keep other bits.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(slot, timestamp())
        }
        emit BatchAnchored(issuerId, batchId, root, msg.sender, count, uri);
    }

    /// @inheritdoc ICredentialRegistry
    function revokeBatch(bytes16 batchId, string calldata reason) external {
        if (batchId == bytes16(0)) revert ZeroBatchId();
        uint64 issuerId = _activeIssuerOf(msg.sender);
        uint64 revokedAt = _batchRevokedAt[issuerId][batchId];
        if (revokedAt != 0) revert BatchAlreadyRevoked(issuerId, batchId, revokedAt);
        _batchRevokedAt[issuerId][batchId] = uint64(block.timestamp);
        _issuers[issuerId].revocationFilter |= _batchBit(batchId);
        emit BatchRevoked(issuerId, batchId, msg.sender, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function revokeCredential(bytes32 digest, string calldata reason) external {
        uint64 issuerId = _activeIssuerOf(msg.sender);
        uint64 revokedAt = _credentialRevokedAt[issuerId][digest];
        if (revokedAt != 0) revert CredentialAlreadyRevoked(issuerId, digest, revokedAt);
        _credentialRevokedAt[issuerId][digest] = uint64(block.timestamp);
        _issuers[issuerId].revocationFilter |= _digestBit(digest);
        emit CredentialRevoked(issuerId, digest, msg.sender, reason);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICredentialRegistry
    function verify(
        uint64 issuerId,
        bytes16 batchId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (Verification memory result) {
        (
            Status status,
            bytes32 leaf,
            uint64 anchoredAt,
            uint64 batchRevokedAt,
            uint64 credRevokedAt,
            uint64 accreditedUntil
        ) = _check(issuerId, batchId, root, digest, proof);
        // A memory `Verification` is six static words in field order, as its ABI encoding: written
        // into `result` and returned from there, without Solidity's field-by-field encoder.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(result, status)
            mstore(add(result, 0x20), leaf)
            mstore(add(result, 0x40), anchoredAt)
            mstore(add(result, 0x60), batchRevokedAt)
            mstore(add(result, 0x80), credRevokedAt)
            mstore(add(result, 0xa0), accreditedUntil)
            return(result, 0xc0)
        }
    }

    /// @inheritdoc ICredentialRegistry
    function verifyWithIssuer(
        uint64 issuerId,
        bytes16 batchId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (Verification memory result, Issuer memory issuer) {
        return (_verify(issuerId, batchId, root, digest, proof), _issuerView(issuerId));
    }

    /// @inheritdoc ICredentialRegistry
    function verifyMany(
        VerifyRequest[] calldata requests
    ) external view returns (Verification[] memory results, Issuer[] memory issuers) {
        uint256 count = requests.length;
        results = new Verification[](count);
        issuers = new Issuer[](count);
        for (uint256 i = 0; i < count; ++i) {
            VerifyRequest calldata request = requests[i];
            results[i] = _verify(
                request.issuerId,
                request.batchId,
                request.root,
                request.digest,
                request.proof
            );
            issuers[i] = _issuerView(request.issuerId);
        }
    }

    /// @inheritdoc ICredentialRegistry
    function leafOf(uint64 issuerId, bytes16 batchId, bytes32 digest) external view returns (bytes32) {
        return _leafOf(issuerId, batchId, digest);
    }

    /// @inheritdoc ICredentialRegistry
    function getBatch(uint64 issuerId, bytes16 batchId, bytes32 root) external view returns (Batch memory) {
        return
            Batch({
                anchoredAt: _anchoredAtOf(issuerId, batchId, root),
                revokedAt: _batchRevokedAt[issuerId][batchId]
            });
    }

    /// @inheritdoc ICredentialRegistry
    function credentialRevokedAt(uint64 issuerId, bytes32 digest) external view returns (uint64) {
        return _credentialRevokedAt[issuerId][digest];
    }

    /// @inheritdoc ICredentialRegistry
    function getIssuer(uint64 issuerId) external view returns (Issuer memory) {
        _existingIssuer(issuerId);
        return _issuerView(issuerId);
    }

    /// @inheritdoc ICredentialRegistry
    function issuerOf(address account) external view returns (uint64) {
        SignerRecord memory record = _signerRecords[account];
        return record.active ? record.issuerId : 0;
    }

    /// @inheritdoc ICredentialRegistry
    function signerRecord(address account) external view returns (uint64 issuerId, bool active) {
        SignerRecord memory record = _signerRecords[account];
        return (record.issuerId, record.active);
    }

    /// @inheritdoc ICredentialRegistry
    function getSigners(uint64 issuerId) external view returns (address[] memory) {
        _existingIssuer(issuerId);
        return _issuerSigners[issuerId].values();
    }

    /// @inheritdoc ICredentialRegistry
    function getIssuerKey(uint64 issuerId, bytes32 publicKey) external view returns (IssuerKey memory key) {
        KeyRecord memory record = _keyRecords[publicKey];
        if (record.issuerId == 0 || record.issuerId != issuerId) return key;
        return
            IssuerKey({
                addedAt: record.addedAt,
                retiredAt: record.retiredAt,
                compromised: record.compromised
            });
    }

    /// @inheritdoc ICredentialRegistry
    function getIssuerKeys(uint64 issuerId) external view returns (bytes32[] memory) {
        _existingIssuer(issuerId);
        return _issuerKeys[issuerId];
    }

    /// @inheritdoc ICredentialRegistry
    function issuerOfKey(bytes32 publicKey) external view returns (uint64) {
        return _keyRecords[publicKey].issuerId;
    }

    /// @inheritdoc ICredentialRegistry
    function issuerCount() external view returns (uint64) {
        return _issuerCount;
    }

    // ---------------------------------------------------------------- internal

    /// @dev `_check` as the struct `verifyWithIssuer` and `verifyMany` return.
    function _verify(
        uint64 issuerId,
        bytes16 batchId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) private view returns (Verification memory result) {
        (
            result.status,
            result.leaf,
            result.anchoredAt,
            result.batchRevokedAt,
            result.credentialRevokedAt,
            result.accreditedUntil
        ) = _check(issuerId, batchId, root, digest, proof);
    }

    /// @dev The fields of `Verification`, in its order. Reads, cold, at most: the anchor slot, the
    /// issuer's first slot, and only when its filter bit is set, the batch's and the credential's
    /// revocation slots. The verdict is the first failing check in the order of `Status`:
    /// BadProof (no storage read), NotAnchored, BatchRevoked, CredentialRevoked,
    /// IssuerNotAccredited. A failed proof or a missing anchor leaves every time at 0.
    function _check(
        uint64 issuerId,
        bytes16 batchId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    )
        private
        view
        returns (
            Status status,
            bytes32 leaf,
            uint64 anchoredAt,
            uint64 batchRevokedAt,
            uint64 credRevokedAt,
            uint64 accreditedUntil
        )
    {
        leaf = _leafOf(issuerId, batchId, digest);
        // The proof first: it needs no storage, and a changed credential is `BadProof` (tampered)
        // rather than `NotAnchored`, whatever root it claims.
        if (_processProof(proof, leaf) != root) return (Status.BadProof, leaf, 0, 0, 0, 0);
        anchoredAt = _anchoredAtOf(issuerId, batchId, root);
        if (anchoredAt == 0) return (Status.NotAnchored, leaf, 0, 0, 0, 0);
        IssuerRecord storage issuer = _issuers[issuerId];
        uint184 filter;
        (accreditedUntil, filter) = (issuer.accreditedUntil, issuer.revocationFilter);
        // A clear bit: never revoked, so the stored time is 0 without reading it.
        if (filter & _batchBit(batchId) != 0) batchRevokedAt = _batchRevokedAt[issuerId][batchId];
        if (filter & _digestBit(digest) != 0) credRevokedAt = _credentialRevokedAt[issuerId][digest];
        if (batchRevokedAt != 0) status = Status.BatchRevoked;
        else if (credRevokedAt != 0) status = Status.CredentialRevoked;
        else if (anchoredAt >= accreditedUntil) status = Status.IssuerNotAccredited;
        // else Valid, the zero value.
    }

    /// @dev `issuerId`'s record as the views return it (all zero for an unknown id).
    function _issuerView(uint64 issuerId) private view returns (Issuer memory) {
        IssuerRecord storage record = _issuers[issuerId];
        return
            Issuer({
                accreditedUntil: record.accreditedUntil,
                active: record.active,
                name: record.name,
                uri: record.uri
            });
    }

    /// @dev The filter bit of a revoked batch id (batch ids are random: their low bits will do).
    function _batchBit(bytes16 batchId) private pure returns (uint184 bit) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            bit := shl(mod(shr(128, batchId), 184), 1)
        }
    }

    /// @dev The filter bit of a revoked digest (a hash: its low bits will do).
    function _digestBit(bytes32 digest) private pure returns (uint184 bit) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            bit := shl(mod(digest, 184), 1)
        }
    }

    /// @dev OpenZeppelin `MerkleProof.processProofCalldata` (sorted pairs), hashing in scratch space.
    function _processProof(bytes32[] calldata proof, bytes32 leaf) private pure returns (bytes32 computed) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            computed := leaf
            let end := add(proof.offset, shl(5, proof.length))
            for {
                let p := proof.offset
            } lt(p, end) {
                p := add(p, 0x20)
            } {
                let sibling := calldataload(p)
                // The smaller of the two first: computed goes to 0x20 when it is the greater.
                let at := shl(5, gt(computed, sibling))
                mstore(at, computed)
                mstore(xor(at, 0x20), sibling)
                computed := keccak256(0x00, 0x40)
            }
        }
    }

    function _addSigner(uint64 issuerId, address signer) private {
        if (signer == address(0)) revert ZeroAddress();
        SignerRecord storage record = _signerRecords[signer];
        uint64 bound = record.issuerId;
        // An address that served another issuer never serves this one: a service still holding
        // the key would otherwise anchor as the wrong issuer.
        if (bound != 0 && (bound != issuerId || record.active)) revert SignerAlreadyAssigned(signer, bound);
        EnumerableSet.AddressSet storage signers = _issuerSigners[issuerId];
        if (signers.length() >= MAX_SIGNERS) revert TooManySigners(issuerId, MAX_SIGNERS);
        record.issuerId = issuerId;
        record.active = true;
        signers.add(signer);
        emit SignerAdded(issuerId, signer, msg.sender);
    }

    function _activeIssuerOf(address account) private view returns (uint64 issuerId) {
        SignerRecord storage record = _signerRecords[account];
        // Both from the one slot, read once, with no copy in memory.
        bool active;
        (issuerId, active) = (record.issuerId, record.active);
        if (!active) revert NotASigner(account);
    }

    function _requireSignerOrAccreditor(uint64 issuerId) private view {
        _existingIssuer(issuerId);
        SignerRecord memory record = _signerRecords[msg.sender];
        bool isSigner = record.active && record.issuerId == issuerId;
        if (!isSigner && !hasRole(ACCREDITOR_ROLE, msg.sender)) revert NotIssuerSigner(msg.sender, issuerId);
    }

    function _existingIssuer(uint64 issuerId) private view returns (IssuerRecord storage issuer) {
        if (issuerId == 0 || issuerId > _issuerCount) revert UnknownIssuer(issuerId);
        return _issuers[issuerId];
    }

    /// @dev The storage slot of `_anchoredAt[keccak256(abi.encode(issuerId, batchId, root))]`,
    /// computed as Solidity does for that mapping, the key encoded past the free memory pointer.
    function _anchorSlot(uint64 issuerId, bytes16 batchId, bytes32 root) private pure returns (uint256 slot) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, and(issuerId, 0xffffffffffffffff))
            mstore(add(m, 0x20), and(batchId, not(shr(128, not(0)))))
            mstore(add(m, 0x40), root)
            mstore(0x00, keccak256(m, 0x60))
            mstore(0x20, _anchoredAt.slot)
            slot := keccak256(0x00, 0x40)
        }
    }

    /// @dev When `issuerId` anchored `root` under `batchId`, 0 if it did not.
    function _anchoredAtOf(uint64 issuerId, bytes16 batchId, bytes32 root) private view returns (uint64 at) {
        uint256 slot = _anchorSlot(issuerId, batchId, root);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            at := and(sload(slot), 0xffffffffffffffff)
        }
    }

    /// @dev `keccak256(bytes.concat(keccak256(abi.encode(block.chainid, address(this), issuerId,
    /// batchId, digest))))`, encoded by hand past the free memory pointer (nothing is allocated).
    function _leafOf(uint64 issuerId, bytes16 batchId, bytes32 digest) private view returns (bytes32 leaf) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, chainid())
            mstore(add(m, 0x20), address())
            mstore(add(m, 0x40), and(issuerId, 0xffffffffffffffff))
            mstore(add(m, 0x60), and(batchId, not(shr(128, not(0)))))
            mstore(add(m, 0x80), digest)
            mstore(0x00, keccak256(m, 0xa0))
            leaf := keccak256(0x00, 0x20)
        }
    }
}
