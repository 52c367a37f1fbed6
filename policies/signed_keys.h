// The key half of signed URLs and signed cookies (§5.1, §5.5): the public keys a behaviour
// trusts (its TrustedKeyGroups), parsed once from PEM into OpenSSL EVP_PKEYs, and signature
// verification / signing with OpenSSL EVP. Pure: CPU only, no I/O (PEM text comes from the
// config or from the caller; `edged sign` reads its key file itself).
//
// Threads: a TrustedKeys is immutable once built and may be shared by workers (OpenSSL 3
// allows concurrent verifications with one EVP_PKEY).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <tl/expected.hpp>

#include "policies/config.h"

namespace edge::policies {

// The one RAII owner of an EVP_PKEY (STYLE §c.4); shared so that the behaviours trusting the
// same key share one parsed key.
using EvpPkeyPtr = std::shared_ptr<EVP_PKEY>;

enum class KeyType : uint8_t {
  Rsa2048,  // RSASSA-PKCS1-v1_5, SHA-1 (default) or SHA-256
  EcP256,   // ECDSA P-256 with SHA-256, DER-encoded signatures
};
std::string_view toString(KeyType t);

// §5.5 Hash-Algorithm: absent = SHA1.
enum class SignatureHash : uint8_t { Sha1, Sha256 };
std::string_view toString(SignatureHash h);  // "SHA1", "SHA256"

struct ParsedKey {
  EvpPkeyPtr pkey;
  KeyType type = KeyType::Rsa2048;
};

// A `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo) PEM holding an RSA-2048 or EC P-256
// key, which is what CloudFront accepts (§5.1). The error says what is wrong ("not a PEM
// public key OpenSSL can read", "RSA key has 1024 bits, CloudFront needs 2048", …) without
// naming the key: callers add the key id or the config field path.
tl::expected<ParsedKey, std::string> parsePublicKeyPem(std::string_view pem);

// A private key PEM (PKCS#8 `BEGIN PRIVATE KEY`, PKCS#1 `BEGIN RSA PRIVATE KEY`, SEC1
// `BEGIN EC PRIVATE KEY`), RSA-2048 or EC P-256, unencrypted. For `edged sign` and tests.
tl::expected<ParsedKey, std::string> parsePrivateKeyPem(std::string_view pem);

struct TrustedKey {
  std::string id;  // the PublicKey Id: what Key-Pair-Id names
  EvpPkeyPtr pkey;
  KeyType type = KeyType::Rsa2048;
};

// A public key of the config that failed to parse (start-up error; the caller turns it into a
// config error). The loader already refuses such keys, so this happens only for hand-built
// Configs.
struct KeyError {
  std::string key_id;
  std::string message;
  std::string toString() const;  // "public key K…: message"
};

// The keys of every PublicKey of a config, parsed once, by Id.
class PublicKeySet {
 public:
  static tl::expected<PublicKeySet, KeyError> parse(const Config& config);
  const TrustedKey* find(std::string_view id) const;
  size_t size() const { return keys_.size(); }

 private:
  std::vector<TrustedKey> keys_;
};

// The public keys one behaviour trusts: the union of its TrustedKeyGroups' keys (§5.1, at most
// 4 groups × 5 keys). Built at worker start; lookups are a short linear scan.
// TrustedSigners (legacy AWS-account key pairs) have no keys in the config: such a behaviour
// gets an empty set, so every signed request fails with InvalidKey.
class TrustedKeys {
 public:
  TrustedKeys() = default;
  explicit TrustedKeys(std::vector<TrustedKey> keys) : keys_(std::move(keys)) {}

  // Keys of `behavior`'s TrustedKeyGroups (when enabled) taken from `keys`, without duplicates.
  // Key groups and key Ids the config does not define are skipped (the loader refuses them).
  static TrustedKeys forBehavior(const Behavior& behavior, const Config& config,
                                 const PublicKeySet& keys);
  // Parses the behaviour's keys itself (convenience when only one behaviour is needed).
  static tl::expected<TrustedKeys, KeyError> resolve(const Behavior& behavior,
                                                     const Config& config);

  const TrustedKey* find(std::string_view key_pair_id) const;
  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }
  const std::vector<TrustedKey>& keys() const { return keys_; }

 private:
  std::vector<TrustedKey> keys_;
};

// §5.5: verifies `signature` (raw bytes, already base64-decoded) over `message` with the key:
// RSA PKCS#1 v1.5 with SHA-1 or SHA-256, or ECDSA P-256 + SHA-256 with a DER signature.
// ECDSA with SHA-1 is refused (false). Any OpenSSL failure is a failed verification.
bool verifySignature(const TrustedKey& key, SignatureHash hash, std::string_view message,
                     std::string_view signature);

// Signs `message` with a private key (same algorithms; ECDSA gives a DER signature and refuses
// SHA-1). Error text on failure.
tl::expected<std::string, std::string> signMessage(const ParsedKey& key, SignatureHash hash,
                                                   std::string_view message);

}  // namespace edge::policies
