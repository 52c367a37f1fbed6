// npm's s3rver (pinned in tests/interop/package.json, installed by scripts/setup.sh): a
// third-party S3 implementation the edge is tested in front of, so the edge is shown not to be
// tuned to the project's own S3 server. It accepts any request signed with the key id S3RVER
// (it does not check SigV4 signatures, ../shared/notes/dependencies.md §5), serves path-style
// and virtual-host-style (<bucket>.s3.amazonaws.com) requests, and prints its port.
#pragma once

#include <cstdint>
#include <string>

#include "support/harness.h"

namespace edge::itest {

class S3rver {
 public:
  static constexpr const char* kAccessKeyId = "S3RVER";
  static constexpr const char* kSecretAccessKey = "S3RVER";
  // Starts tests/interop/node_modules/.bin/s3rver (#!/usr/bin/env node) on 127.0.0.1 with a fresh data
  // directory and the bucket created; throws std::runtime_error when it is not up within 15 s
  // (or not installed: run scripts/setup.sh).
  explicit S3rver(const std::string& bucket);
  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  uint16_t port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  TempDir dir_;
  ChildProcess proc_;
  uint16_t port_ = 0;
};

}  // namespace edge::itest
