// Small POSIX file helpers for the S3 object store: durable writes (temp file, fsync, rename,
// fsync the directory), directory fsync, whole-file reads, directory listing and random names.
// Every function reports failure as a message naming the path and errno text; none throws.
// Thread-safe (no shared state), so persist() may call them on a worker thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace edge::s3 {

using IoResult = tl::expected<void, std::string>;

// "<what> <path>: <strerror(errno)>", read from errno at the time of the call.
std::string errnoMessage(std::string_view what, const std::string& path);

// fsync of a directory, so the entries created, renamed or removed in it are durable.
IoResult fsyncDir(const std::string& dir);
// Writes all of `bytes` to `fd` (retries short writes and EINTR).
IoResult writeAll(int fd, const char* data, size_t len, const std::string& path_for_errors);
// mkdir that accepts an existing directory.
IoResult makeDir(const std::string& path);
// Removes `path` and everything under it (absent is fine).
IoResult removeTree(const std::string& path);
// unlink that accepts an absent file.
IoResult removeFile(const std::string& path);
tl::expected<std::string, std::string> readWholeFile(const std::string& path);
// The names in `dir` (not "." or ".."), unsorted.
tl::expected<std::vector<std::string>, std::string> listDir(const std::string& dir);

// The temp-file names writeFileDurably uses: ".<base>.tmp-<hex>" next to the target. Leftovers
// of a crash; open() removes every name for which this is true.
bool isDurableTempName(std::string_view name);
// n random bytes from OpenSSL's RAND_bytes (for unique names and ids, not for keys).
void randomBytes(unsigned char* out, size_t n);
// 2*n lowercase hex characters from randomBytes.
std::string randomHex(size_t n);

}  // namespace edge::s3
