// Key fixtures shared by the fuzz targets: a generated key's public half as PEM, the form that
// a config's PublicKeyConfig.EncodedKey and parsePublicKeyPem take.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <string>

namespace edge::fuzz {

inline std::string publicPem(EVP_PKEY* k) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, k);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

}  // namespace edge::fuzz
