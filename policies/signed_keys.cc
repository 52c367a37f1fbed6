#include "policies/signed_keys.h"

#include <algorithm>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace edge::policies {

namespace {

// OpenSSL handles owned only inside this file.
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

EvpPkeyPtr own(EVP_PKEY* k) { return EvpPkeyPtr(k, EVP_PKEY_free); }

BioPtr memBio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Never prompt for a pass phrase (OpenSSL's default callback reads the terminal).
int noPassword(char*, int, int, void*) { return 0; }

// The digests, fetched once (OpenSSL 3 looks a digest up on every EVP_sha1() use otherwise).
const EVP_MD* digestFor(SignatureHash h) {
  static const EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return h == SignatureHash::Sha1 ? sha1 : sha256;
}

// RSA with 2048 bits or EC on P-256, else the reason.
tl::expected<KeyType, std::string> keyTypeOf(EVP_PKEY* k) {
  if (EVP_PKEY_is_a(k, "RSA")) {
    const int bits = EVP_PKEY_get_bits(k);
    if (bits != 2048) {
      return tl::make_unexpected("RSA key has " + std::to_string(bits) +
                                 " bits; CloudFront keys are RSA 2048 or ECDSA P-256");
    }
    return KeyType::Rsa2048;
  }
  if (EVP_PKEY_is_a(k, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) !=
            1 ||
        std::string_view(group, len) != "prime256v1") {
      return tl::make_unexpected("EC key is not on the P-256 curve (got " +
                                 std::string(group, len) + ")");
    }
    return KeyType::EcP256;
  }
  return tl::make_unexpected(std::string("key type ") + EVP_PKEY_get0_type_name(k) +
                             " is not supported; CloudFront keys are RSA 2048 or ECDSA P-256");
}

tl::expected<ParsedKey, std::string> finish(EVP_PKEY* raw, const char* what) {
  ERR_clear_error();
  if (raw == nullptr)
    return tl::make_unexpected(std::string("not a ") + what + " OpenSSL can read");
  EvpPkeyPtr key = own(raw);
  auto type = keyTypeOf(key.get());
  if (!type) return tl::make_unexpected(type.error());
  return ParsedKey{std::move(key), *type};
}

}  // namespace

std::string_view toString(KeyType t) { return t == KeyType::Rsa2048 ? "RSA-2048" : "ECDSA-P256"; }
std::string_view toString(SignatureHash h) { return h == SignatureHash::Sha1 ? "SHA1" : "SHA256"; }

tl::expected<ParsedKey, std::string> parsePublicKeyPem(std::string_view pem) {
  BioPtr bio = memBio(pem);
  if (!bio) return tl::make_unexpected("out of memory");
  return finish(PEM_read_bio_PUBKEY(bio.get(), nullptr, noPassword, nullptr),
                "PEM public key (-----BEGIN PUBLIC KEY-----)");
}

tl::expected<ParsedKey, std::string> parsePrivateKeyPem(std::string_view pem) {
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return tl::make_unexpected("encrypted private keys are not supported");
  }
  BioPtr bio = memBio(pem);
  if (!bio) return tl::make_unexpected("out of memory");
  return finish(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassword, nullptr),
                "PEM private key (PKCS#8, PKCS#1 or SEC1)");
}

std::string KeyError::toString() const { return "public key " + key_id + ": " + message; }

tl::expected<PublicKeySet, KeyError> PublicKeySet::parse(const Config& config) {
  PublicKeySet set;
  for (const auto& [id, key] : config.public_keys) {
    auto parsed = parsePublicKeyPem(key.encoded_key);
    if (!parsed) return tl::make_unexpected(KeyError{id, parsed.error()});
    set.keys_.push_back({id, std::move(parsed->pkey), parsed->type});
  }
  return set;
}

const TrustedKey* PublicKeySet::find(std::string_view id) const {
  for (const TrustedKey& k : keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

TrustedKeys TrustedKeys::forBehavior(const Behavior& behavior, const Config& config,
                                     const PublicKeySet& keys) {
  std::vector<TrustedKey> out;
  if (!behavior.trusted_key_groups_enabled) return TrustedKeys();
  for (const std::string& group_id : behavior.trusted_key_groups) {
    const auto group = config.key_groups.find(group_id);
    if (group == config.key_groups.end()) continue;
    for (const std::string& key_id : group->second.public_key_ids) {
      const TrustedKey* k = keys.find(key_id);
      const bool seen =
          std::any_of(out.begin(), out.end(), [&](const TrustedKey& t) { return t.id == key_id; });
      if (k != nullptr && !seen) out.push_back(*k);
    }
  }
  return TrustedKeys(std::move(out));
}

tl::expected<TrustedKeys, KeyError> TrustedKeys::resolve(const Behavior& behavior,
                                                         const Config& config) {
  Config only;  // just the keys this behaviour's groups name
  if (behavior.trusted_key_groups_enabled) {
    for (const std::string& group_id : behavior.trusted_key_groups) {
      const auto group = config.key_groups.find(group_id);
      if (group == config.key_groups.end()) continue;
      for (const std::string& key_id : group->second.public_key_ids) {
        const auto key = config.public_keys.find(key_id);
        if (key != config.public_keys.end()) only.public_keys.insert(*key);
      }
    }
  }
  auto keys = PublicKeySet::parse(only);
  if (!keys) return tl::make_unexpected(keys.error());
  return forBehavior(behavior, config, *keys);
}

const TrustedKey* TrustedKeys::find(std::string_view key_pair_id) const {
  for (const TrustedKey& k : keys_) {
    if (k.id == key_pair_id) return &k;
  }
  return nullptr;
}

bool verifySignature(const TrustedKey& key, SignatureHash hash, std::string_view message,
                     std::string_view signature) {
  if (key.type == KeyType::EcP256 && hash != SignatureHash::Sha256) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, digestFor(hash), nullptr, key.pkey.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  // A failed verification leaves errors on this thread's queue; do not leak them to other users
  // of OpenSSL on the worker (TLS).
  if (!ok) ERR_clear_error();
  return ok;
}

tl::expected<std::string, std::string> signMessage(const ParsedKey& key, SignatureHash hash,
                                                   std::string_view message) {
  if (key.type == KeyType::EcP256 && hash != SignatureHash::Sha256) {
    return tl::make_unexpected("ECDSA keys sign with SHA256 only");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, digestFor(hash), nullptr, key.pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) != 1) {
    ERR_clear_error();
    return tl::make_unexpected("OpenSSL cannot sign with this key");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg,
                     message.size()) != 1) {
    ERR_clear_error();
    return tl::make_unexpected("OpenSSL signing failed");
  }
  sig.resize(len);
  return sig;
}

}  // namespace edge::policies
