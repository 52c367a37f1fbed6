// Durability under kill -9: a child process writes objects and reports each acknowledged one
// (an "ack", sent right after publish, where the S3 server would send its response) through a
// pipe; the parent SIGKILLs it, reopens the store and checks that every acked object is there
// and whole, that nothing torn is visible and that no temp file survives open.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>

#include "origin/s3/object_store.h"
#include "tests/origin/s3/store_test_util.h"

namespace edge::s3 {
namespace {

namespace fs = std::filesystem;
using testing::md5Hex;
using testing::readFileOrEmpty;
using testing::TempDir;

constexpr const char* kBucket = "crash";

std::string bodyFor(uint32_t i, size_t size) {
  std::mt19937 rng(i);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

std::string objKey(uint32_t i) { return "obj/" + std::to_string(i); }

// The child: writes objects start, start+1, … (each also overwrites "hot"), acking each after
// publish. Never returns; exits without running the test framework's atexit handlers.
[[noreturn]] void runWriter(const std::string& dir, uint32_t start, uint32_t count, size_t size,
                            int ack_fd) {
  auto opened = ObjectStore::open(dir);
  if (!opened) _exit(2);
  ObjectStore& store = **opened;
  if (!store.hasBucket(kBucket) && !store.createBucket(kBucket)) _exit(3);
  for (uint32_t i = start; i < start + count; ++i) {
    const std::string body = bodyFor(i, size);
    for (const std::string& key : {objKey(i), std::string("hot")}) {
      auto up = store.beginUpload(kBucket, key);
      if (!up) _exit(4);
      for (size_t off = 0; off < body.size(); off += 65536) {
        if (!(*up)->write(body.data() + off, std::min<size_t>(65536, body.size() - off))) _exit(5);
      }
      auto p = store.persist(std::move(*up), {{"x-amz-meta-i", std::to_string(i)}});
      if (!p) _exit(6);
      store.publish(std::move(*p));
    }
    if (::write(ack_fd, &i, sizeof i) != sizeof i) _exit(7);
  }
  _exit(0);
}

// Reads whole acks from the pipe until `until` (or end of file); returns false at end of file.
bool readAcks(int fd, std::set<uint32_t>& acked, std::chrono::steady_clock::time_point until,
              size_t stop_after) {
  for (;;) {
    if (acked.size() >= stop_after) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    uint32_t i = 0;
    const ssize_t n = ::read(fd, &i, sizeof i);
    if (n == 0) return false;
    if (n == static_cast<ssize_t>(sizeof i)) acked.insert(i);
  }
}

// Forks a writer, kills it after `kill_after_acks` acks or after `delay` (whichever first),
// and returns every ack it sent (those still in the pipe too: they were acknowledged).
std::set<uint32_t> crashOnce(const std::string& dir, uint32_t start, uint32_t count, size_t size,
                             size_t kill_after_acks, std::chrono::microseconds delay,
                             bool* killed = nullptr) {
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe";
    return {};
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    runWriter(dir, start, count, size, fds[1]);
  }
  ::close(fds[1]);
  std::set<uint32_t> acked;
  const auto deadline = std::chrono::steady_clock::now() + delay;
  readAcks(fds[0], acked, deadline, kill_after_acks);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (killed != nullptr) *killed = WIFSIGNALED(status);
  EXPECT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
      << "writer failed with exit status " << WEXITSTATUS(status);
  // Whatever the child wrote before dying was acknowledged.
  readAcks(fds[0], acked, std::chrono::steady_clock::now() + std::chrono::seconds(2), SIZE_MAX);
  ::close(fds[0]);
  return acked;
}

// Opens the store the child left and checks it.
void verify(const std::string& dir, const std::set<uint32_t>& all_acked, size_t size) {
  auto opened = ObjectStore::open(dir);
  ASSERT_TRUE(opened) << opened.error();
  ObjectStore& store = **opened;
  if (!store.hasBucket(kBucket)) {
    EXPECT_TRUE(all_acked.empty());
    return;
  }
  for (uint32_t i : all_acked) {
    auto v = store.lookup(kBucket, objKey(i), std::nullopt);
    ASSERT_TRUE(v) << "acked object " << i << " lost: " << v.error();
    const std::string data = readFileOrEmpty(v->data_path);
    ASSERT_EQ(data.size(), size) << i;
    EXPECT_TRUE(data == bodyFor(i, size)) << "acked object " << i << " has other bytes";
    EXPECT_EQ(v->etag, "\"" + md5Hex(data) + "\"") << i;
    EXPECT_EQ(v->headers.get("x-amz-meta-i"), std::to_string(i));
  }
  // Everything visible is whole, acked or not.
  auto listed = store.list(kBucket, ListParams{"", "", 1000, ""});
  ASSERT_TRUE(listed);
  EXPECT_FALSE(listed->truncated);
  for (const ObjectVersion& v : listed->contents) {
    const std::string data = readFileOrEmpty(v.data_path);
    EXPECT_EQ(data.size(), v.size) << v.key;
    EXPECT_EQ(v.etag, "\"" + md5Hex(data) + "\"") << "torn object visible: " << v.key;
    const auto i =
        static_cast<uint32_t>(std::stoul(std::string(v.headers.get("x-amz-meta-i").value_or("0"))));
    EXPECT_TRUE(data == bodyFor(i, size)) << v.key;
  }
  if (!all_acked.empty()) {
    auto hot = store.lookup(kBucket, "hot", std::nullopt);
    ASSERT_TRUE(hot);
    const auto i = static_cast<uint32_t>(
        std::stoul(std::string(hot->headers.get("x-amz-meta-i").value_or("0"))));
    EXPECT_GE(i, *all_acked.rbegin()) << "\"hot\" went back in time";
  }
  // open() cleaned up after the crash.
  const std::string bucket_dir = dir + "/buckets/" + kBucket;
  EXPECT_TRUE(fs::is_empty(bucket_dir + "/tmp"));
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(bucket_dir + "/objects"))
    names.insert(e.path().filename().string());
  for (const std::string& n : names) {
    EXPECT_NE(n.front(), '.') << "temp file left: " << n;
    if (n.ends_with(".data")) {
      EXPECT_TRUE(names.count(n.substr(0, 16) + ".meta")) << "orphan data file left: " << n;
    }
  }
}

TEST(ObjectStoreCrash, KilledRightAfterAnAckKeepsEveryAckedObject) {
  TempDir dir;
  std::set<uint32_t> acked;
  uint32_t next = 0;
  for (size_t kill_after : {1u, 2u, 5u, 12u}) {
    const std::set<uint32_t> round =
        crashOnce(dir.path(), next, 1000, 4096, kill_after, std::chrono::seconds(10));
    EXPECT_GE(round.size(), kill_after);
    acked.insert(round.begin(), round.end());
    verify(dir.path(), acked, 4096);
    if (::testing::Test::HasFailure()) return;
    next += 1000;
  }
}

TEST(ObjectStoreCrash, KilledAtRandomMomentsDuringLargeWrites) {
  TempDir dir;
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::set<uint32_t> acked;
  uint32_t next = 0;
  const size_t size = 768 * 1024 + 17;
  int killed_rounds = 0;
  for (int round = 0; round < 6; ++round) {
    const auto delay =
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, 40'000)(rng));
    bool killed = false;
    const std::set<uint32_t> got = crashOnce(dir.path(), next, 200, size, SIZE_MAX, delay, &killed);
    killed_rounds += killed;
    acked.insert(got.begin(), got.end());
    verify(dir.path(), acked, size);
    if (::testing::Test::HasFailure()) return;
    next += 200;
  }
  // The premise: the writer died mid-loop (200 writes of 768 KiB take far longer than 40 ms).
  EXPECT_GT(killed_rounds, 0);
}

}  // namespace
}  // namespace edge::s3
