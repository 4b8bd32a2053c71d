// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
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

    /// @dev A credential-signing key: the issuer it is bound to, for good, and its history. One slot.
    struct KeyRecord {
        uint64 issuerId;
        uint64 addedAt;
        uint64 retiredAt;
        bool compromised;
    }

    uint64 private _issuerCount;
    mapping(uint64 issuerId => Issuer) private _issuers;
    mapping(address signer => SignerRecord) private _signerRecords;
    mapping(uint64 issuerId => EnumerableSet.AddressSet) private _issuerSigners;
    mapping(uint64 issuerId => mapping(bytes16 batchId => mapping(bytes32 root => uint64 anchoredAt)))
        private _anchoredAt;
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
        _issuers[issuerId] = Issuer({accreditedUntil: _NOT_WITHDRAWN, active: true, name: name, uri: uri});
        emit IssuerRegistered(issuerId, name, uri, signer);
        _addSigner(issuerId, signer);
    }

    /// @inheritdoc ICredentialRegistry
    function updateIssuer(
        uint64 issuerId,
        string calldata name,
        string calldata uri
    ) external onlyRole(ACCREDITOR_ROLE) {
        Issuer storage issuer = _existingIssuer(issuerId);
        if (bytes(name).length == 0) revert EmptyIssuerName();
        issuer.name = name;
        issuer.uri = uri;
        emit IssuerUpdated(issuerId, name, uri);
    }

    /// @inheritdoc ICredentialRegistry
    function setIssuerActive(uint64 issuerId, bool active) external onlyRole(ACCREDITOR_ROLE) {
        Issuer storage issuer = _existingIssuer(issuerId);
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
        Issuer storage issuer = _existingIssuer(issuerId);
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
        Issuer storage issuer = _issuers[issuerId];
        if (!issuer.active) revert IssuerInactive(issuerId);
        uint64 accreditedUntil = issuer.accreditedUntil;
        if (block.timestamp >= accreditedUntil) revert IssuerNotAccredited(issuerId, accreditedUntil);
        mapping(bytes32 root => uint64 anchoredAt) storage anchors = _anchoredAt[issuerId][batchId];
        if (anchors[root] != 0) revert BatchAlreadyAnchored(issuerId, batchId, root);
        anchors[root] = uint64(block.timestamp);
        emit BatchAnchored(issuerId, batchId, root, msg.sender, count, uri);
    }

    /// @inheritdoc ICredentialRegistry
    function revokeBatch(bytes16 batchId, string calldata reason) external {
        if (batchId == bytes16(0)) revert ZeroBatchId();
        uint64 issuerId = _activeIssuerOf(msg.sender);
        uint64 revokedAt = _batchRevokedAt[issuerId][batchId];
        if (revokedAt != 0) revert BatchAlreadyRevoked(issuerId, batchId, revokedAt);
        _batchRevokedAt[issuerId][batchId] = uint64(block.timestamp);
        emit BatchRevoked(issuerId, batchId, msg.sender, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function revokeCredential(bytes32 digest, string calldata reason) external {
        uint64 issuerId = _activeIssuerOf(msg.sender);
        uint64 revokedAt = _credentialRevokedAt[issuerId][digest];
        if (revokedAt != 0) revert CredentialAlreadyRevoked(issuerId, digest, revokedAt);
        _credentialRevokedAt[issuerId][digest] = uint64(block.timestamp);
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
        return _verify(issuerId, batchId, root, digest, proof);
    }

    /// @inheritdoc ICredentialRegistry
    function verifyWithIssuer(
        uint64 issuerId,
        bytes16 batchId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (Verification memory result, Issuer memory issuer) {
        return (_verify(issuerId, batchId, root, digest, proof), _issuers[issuerId]);
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
            issuers[i] = _issuers[request.issuerId];
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
                anchoredAt: _anchoredAt[issuerId][batchId][root],
                revokedAt: _batchRevokedAt[issuerId][batchId]
            });
    }

    /// @inheritdoc ICredentialRegistry
    function credentialRevokedAt(uint64 issuerId, bytes32 digest) external view returns (uint64) {
        return _credentialRevokedAt[issuerId][digest];
    }

    /// @inheritdoc ICredentialRegistry
    function getIssuer(uint64 issuerId) external view returns (Issuer memory) {
        return _existingIssuer(issuerId);
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

    function _verify(
        uint64 issuerId,
        bytes16 batchId,
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) private view returns (Verification memory result) {
        result.leaf = _leafOf(issuerId, batchId, digest);
        // The proof first: it needs no storage, and a changed credential is `BadProof` (tampered)
        // rather than `NotAnchored`, whatever root it claims.
        if (!MerkleProof.verifyCalldata(proof, root, result.leaf)) {
            result.status = Status.BadProof;
            return result;
        }
        result.anchoredAt = _anchoredAt[issuerId][batchId][root];
        if (result.anchoredAt == 0) {
            result.status = Status.NotAnchored;
            return result;
        }
        result.batchRevokedAt = _batchRevokedAt[issuerId][batchId];
        result.credentialRevokedAt = _credentialRevokedAt[issuerId][digest];
        result.accreditedUntil = _issuers[issuerId].accreditedUntil;
        if (result.batchRevokedAt != 0) result.status = Status.BatchRevoked;
        else if (result.credentialRevokedAt != 0) result.status = Status.CredentialRevoked;
        else if (result.anchoredAt >= result.accreditedUntil) result.status = Status.IssuerNotAccredited;
        else result.status = Status.Valid;
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

    function _activeIssuerOf(address account) private view returns (uint64) {
        SignerRecord memory record = _signerRecords[account];
        if (!record.active) revert NotASigner(account);
        return record.issuerId;
    }

    function _requireSignerOrAccreditor(uint64 issuerId) private view {
        _existingIssuer(issuerId);
        SignerRecord memory record = _signerRecords[msg.sender];
        bool isSigner = record.active && record.issuerId == issuerId;
        if (!isSigner && !hasRole(ACCREDITOR_ROLE, msg.sender)) revert NotIssuerSigner(msg.sender, issuerId);
    }

    function _existingIssuer(uint64 issuerId) private view returns (Issuer storage issuer) {
        if (issuerId == 0 || issuerId > _issuerCount) revert UnknownIssuer(issuerId);
        return _issuers[issuerId];
    }

    function _leafOf(uint64 issuerId, bytes16 batchId, bytes32 digest) private view returns (bytes32) {
        return
            keccak256(
                bytes.concat(keccak256(abi.encode(block.chainid, address(this), issuerId, batchId, digest)))
            );
    }
}
