// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";

/// @title CredentialRegistry
/// @notice See {ICredentialRegistry}. Roles: `DEFAULT_ADMIN_ROLE` grants and revokes roles;
/// `ACCREDITOR_ROLE` registers, updates, deactivates issuers and withdraws their accreditation.
contract CredentialRegistry is ICredentialRegistry, AccessControl {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Role of the accreditation body.
    bytes32 public constant ACCREDITOR_ROLE = keccak256("ACCREDITOR_ROLE");

    uint64 private constant _NOT_WITHDRAWN = type(uint64).max;

    /// @dev A signer's issuer, with a copy of that issuer's `active` and `accreditedUntil`, packed in
    /// one slot: `anchor` reads a single storage slot to authorise the caller. The copies are
    /// refreshed for every signer of an issuer whenever the accreditor changes those two fields.
    struct SignerRecord {
        uint64 issuerId;
        uint64 accreditedUntil;
        bool active;
    }

    uint64 private _issuerCount;
    mapping(uint64 issuerId => Issuer) private _issuers;
    mapping(address signer => SignerRecord) private _signerRecords;
    mapping(uint64 issuerId => EnumerableSet.AddressSet) private _issuerSigners;
    mapping(bytes32 root => Batch) private _batches;
    mapping(bytes32 root => mapping(bytes32 leaf => uint64 revokedAt)) private _credentialRevokedAt;

    /// @param admin Holder of `DEFAULT_ADMIN_ROLE` (a multisig in production).
    /// @param accreditor First holder of `ACCREDITOR_ROLE`.
    constructor(address admin, address accreditor) {
        if (admin == address(0) || accreditor == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
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
        _syncSigners(issuerId, issuer);
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
        _syncSigners(issuerId, issuer);
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
        if (_signerRecords[signer].issuerId != issuerId) revert SignerNotAssigned(signer, issuerId);
        delete _signerRecords[signer];
        _issuerSigners[issuerId].remove(signer);
        emit SignerRemoved(issuerId, signer, msg.sender);
    }

    // ---------------------------------------------------------------- batches

    /// @inheritdoc ICredentialRegistry
    function anchor(bytes32 root, uint64 count, string calldata uri) external {
        if (root == bytes32(0)) revert ZeroRoot();
        if (count == 0) revert ZeroCount();
        SignerRecord memory signer = _signerRecords[msg.sender];
        uint64 issuerId = signer.issuerId;
        if (issuerId == 0) revert NotASigner(msg.sender);
        if (!signer.active) revert IssuerInactive(issuerId);
        if (block.timestamp >= signer.accreditedUntil)
            revert IssuerNotAccredited(issuerId, signer.accreditedUntil);
        Batch storage batch = _batches[root];
        if (batch.issuerId != 0) revert BatchAlreadyAnchored(root, batch.issuerId, batch.anchoredAt);
        _batches[root] = Batch({issuerId: issuerId, anchoredAt: uint64(block.timestamp), revokedAt: 0});
        emit BatchAnchored(root, issuerId, msg.sender, count, uri);
    }

    /// @inheritdoc ICredentialRegistry
    function revokeBatch(bytes32 root, string calldata reason) external {
        Batch storage batch = _batchOfCallersIssuer(root);
        if (batch.revokedAt != 0) revert BatchAlreadyRevoked(root, batch.revokedAt);
        batch.revokedAt = uint64(block.timestamp);
        emit BatchRevoked(root, batch.issuerId, msg.sender, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function revokeCredential(bytes32 root, bytes32 leaf, string calldata reason) external {
        Batch storage batch = _batchOfCallersIssuer(root);
        uint64 revokedAt = _credentialRevokedAt[root][leaf];
        if (revokedAt != 0) revert CredentialAlreadyRevoked(root, leaf, revokedAt);
        _credentialRevokedAt[root][leaf] = uint64(block.timestamp);
        emit CredentialRevoked(root, leaf, batch.issuerId, msg.sender, reason);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICredentialRegistry
    function verify(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (Verification memory result) {
        return _verify(root, leaf, proof);
    }

    /// @inheritdoc ICredentialRegistry
    function verifyCredential(
        bytes32 root,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (Verification memory result) {
        return _verify(root, _leafOf(digest), proof);
    }

    /// @inheritdoc ICredentialRegistry
    function verifyWithIssuer(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (Verification memory result, Issuer memory issuer) {
        return _verifyWithIssuer(root, leaf, proof);
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
            (results[i], issuers[i]) = _verifyWithIssuer(request.root, request.leaf, request.proof);
        }
    }

    /// @inheritdoc ICredentialRegistry
    function leafOf(bytes32 digest) external pure returns (bytes32) {
        return _leafOf(digest);
    }

    /// @inheritdoc ICredentialRegistry
    function getBatch(bytes32 root) external view returns (Batch memory) {
        return _batches[root];
    }

    /// @inheritdoc ICredentialRegistry
    function credentialRevokedAt(bytes32 root, bytes32 leaf) external view returns (uint64) {
        return _credentialRevokedAt[root][leaf];
    }

    /// @inheritdoc ICredentialRegistry
    function getIssuer(uint64 issuerId) external view returns (Issuer memory) {
        return _existingIssuer(issuerId);
    }

    /// @inheritdoc ICredentialRegistry
    function issuerOf(address account) external view returns (uint64) {
        return _signerRecords[account].issuerId;
    }

    /// @inheritdoc ICredentialRegistry
    function issuerCount() external view returns (uint64) {
        return _issuerCount;
    }

    // ---------------------------------------------------------------- internal

    function _verifyWithIssuer(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) private view returns (Verification memory result, Issuer memory issuer) {
        result = _verify(root, leaf, proof);
        if (result.issuerId != 0) issuer = _issuers[result.issuerId];
    }

    function _verify(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) private view returns (Verification memory result) {
        Batch memory batch = _batches[root];
        if (batch.issuerId == 0) {
            result.status = Status.NotAnchored;
            return result;
        }
        result.issuerId = batch.issuerId;
        result.anchoredAt = batch.anchoredAt;
        result.batchRevokedAt = batch.revokedAt;
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) {
            result.status = Status.BadProof;
            return result;
        }
        result.credentialRevokedAt = _credentialRevokedAt[root][leaf];
        result.accreditedUntil = _issuers[batch.issuerId].accreditedUntil;
        if (batch.revokedAt != 0) result.status = Status.BatchRevoked;
        else if (result.credentialRevokedAt != 0) result.status = Status.CredentialRevoked;
        else if (batch.anchoredAt >= result.accreditedUntil) result.status = Status.IssuerNotAccredited;
        else result.status = Status.Valid;
    }

    function _addSigner(uint64 issuerId, address signer) private {
        if (signer == address(0)) revert ZeroAddress();
        uint64 current = _signerRecords[signer].issuerId;
        if (current != 0) revert SignerAlreadyAssigned(signer, current);
        Issuer storage issuer = _issuers[issuerId];
        _signerRecords[signer] = SignerRecord({
            issuerId: issuerId,
            accreditedUntil: issuer.accreditedUntil,
            active: issuer.active
        });
        _issuerSigners[issuerId].add(signer);
        emit SignerAdded(issuerId, signer, msg.sender);
    }

    function _batchOfCallersIssuer(bytes32 root) private view returns (Batch storage batch) {
        batch = _batches[root];
        uint64 issuerId = batch.issuerId;
        if (issuerId == 0) revert BatchNotAnchored(root);
        if (_signerRecords[msg.sender].issuerId != issuerId) revert NotIssuerSigner(msg.sender, issuerId);
    }

    function _requireSignerOrAccreditor(uint64 issuerId) private view {
        _existingIssuer(issuerId);
        if (_signerRecords[msg.sender].issuerId != issuerId && !hasRole(ACCREDITOR_ROLE, msg.sender)) {
            revert NotIssuerSigner(msg.sender, issuerId);
        }
    }

    /// @dev Copies the issuer's `active` and `accreditedUntil` into each of its signers' records.
    function _syncSigners(uint64 issuerId, Issuer storage issuer) private {
        EnumerableSet.AddressSet storage signers = _issuerSigners[issuerId];
        uint256 count = signers.length();
        for (uint256 i = 0; i < count; ++i) {
            SignerRecord storage record = _signerRecords[signers.at(i)];
            record.active = issuer.active;
            record.accreditedUntil = issuer.accreditedUntil;
        }
    }

    function _existingIssuer(uint64 issuerId) private view returns (Issuer storage issuer) {
        if (issuerId == 0 || issuerId > _issuerCount) revert UnknownIssuer(issuerId);
        return _issuers[issuerId];
    }

    function _leafOf(bytes32 digest) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(digest))));
    }
}
