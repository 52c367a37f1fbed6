#include "origin/s3/durable_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <openssl/rand.h>

#include "origin/s3/object_store.h"

namespace edge::s3 {

namespace {

constexpr std::string_view kTempMarker = ".tmp-";

// Closes a descriptor on every path out of a function.
struct FdCloser {
  int fd = -1;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

std::string dirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::string errnoMessage(std::string_view what, const std::string& path) {
  const int err = errno;
  std::string out(what);
  out += ' ';
  out += path;
  out += ": ";
  out += std::strerror(err);
  return out;
}

IoResult fsyncDir(const std::string& dir) {
  FdCloser f{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (f.fd < 0) return tl::unexpected(errnoMessage("open", dir));
  if (::fsync(f.fd) != 0) return tl::unexpected(errnoMessage("fsync", dir));
  return {};
}

IoResult writeAll(int fd, const char* data, size_t len, const std::string& path_for_errors) {
  while (len > 0) {
    const ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::unexpected(errnoMessage("write", path_for_errors));
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return {};
}

IoResult makeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0) return {};
  struct stat st {};
  if (errno == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return {};
  return tl::unexpected(errnoMessage("mkdir", path));
}

IoResult removeTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return tl::unexpected("remove " + path + ": " + ec.message());
  return {};
}

IoResult removeFile(const std::string& path) {
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return {};
  return tl::unexpected(errnoMessage("unlink", path));
}

tl::expected<std::string, std::string> readWholeFile(const std::string& path) {
  FdCloser f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return tl::unexpected(errnoMessage("open", path));
  std::string out;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::unexpected(errnoMessage("read", path));
    }
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

tl::expected<std::vector<std::string>, std::string> listDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return tl::unexpected(errnoMessage("opendir", dir));
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d);
    if (e == nullptr) break;
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) {
    errno = err;
    return tl::unexpected(errnoMessage("readdir", dir));
  }
  return names;
}

bool isDurableTempName(std::string_view name) {
  return !name.empty() && name.front() == '.' && name.find(kTempMarker) != std::string_view::npos;
}

void randomBytes(unsigned char* out, size_t n) {
  // RAND_bytes fails only when the system's entropy source is unavailable. What this makes must
  // be unique, not secret, so the fallback mixes the pid, the clock and a counter.
  if (RAND_bytes(out, static_cast<int>(n)) == 1) return;
  static std::atomic<uint64_t> counter{0};
  uint64_t x = static_cast<uint64_t>(::getpid()) * 0x9e3779b97f4a7c15ULL ^
               static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (counter.fetch_add(1) << 40);
  for (size_t i = 0; i < n; ++i) {
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ULL;
    out[i] = static_cast<unsigned char>(x >> 56);
  }
}

std::string randomHex(size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::vector<unsigned char> bytes(n);
  randomBytes(bytes.data(), n);
  std::string out;
  out.reserve(2 * n);
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

tl::expected<void, std::string> writeFileDurably(const std::string& path, std::string_view bytes) {
  const std::string dir = dirOf(path);
  const std::string base = path.substr(path.rfind('/') + 1);
  const std::string tmp = dir + "/." + base + std::string(kTempMarker) + randomHex(8);
  {
    FdCloser f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
    if (f.fd < 0) return tl::unexpected(errnoMessage("create", tmp));
    IoResult r = writeAll(f.fd, bytes.data(), bytes.size(), tmp);
    if (r && ::fsync(f.fd) != 0) r = tl::unexpected(errnoMessage("fsync", tmp));
    if (!r) {
      ::unlink(tmp.c_str());
      return r;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string msg = errnoMessage("rename to " + path, tmp);
    ::unlink(tmp.c_str());
    return tl::unexpected(std::move(msg));
  }
  return fsyncDir(dir);
}

}  // namespace edge::s3
