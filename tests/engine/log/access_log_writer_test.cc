#include "engine/log/access_log_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "policies/access_log_format.h"

namespace edge::engine {
namespace {

namespace fs = std::filesystem;

class AccessLogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edged-access-log-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/access.log";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  // 8 bytes each ("line 07\n") for n < 100.
  static std::string line(int n) {
    return std::string("line ") + (n < 10 ? "0" : "") + std::to_string(n) + "\n";
  }
  // Waits (bounded) until the file holds `text`.
  static bool waitFor(const std::string& p, const std::string& text) {
    for (int i = 0; i < 500; ++i) {
      if (read(p).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::string dir_;
  std::string path_;
};

const std::string kHeader(policies::accessLogHeader());

TEST_F(AccessLogWriterTest, NewFileStartsWithTheHeaderAndKeepsEveryLineOnStop) {
  AccessLogWriter w({path_});
  ASSERT_TRUE(w.start());
  w.append(line(1));
  w.append(line(2) + line(3));
  w.stop();
  EXPECT_EQ(read(path_), kHeader + line(1) + line(2) + line(3));
  EXPECT_EQ(w.droppedLines(), 0u);
}

TEST_F(AccessLogWriterTest, AppendsToAnExistingFileWithoutASecondHeader) {
  {
    AccessLogWriter w({path_});
    ASSERT_TRUE(w.start());
    w.append(line(1));
  }  // the destructor stops
  AccessLogWriter w({path_});
  ASSERT_TRUE(w.start());
  w.append(line(2));
  w.stop();
  EXPECT_EQ(read(path_), kHeader + line(1) + line(2));
}

TEST_F(AccessLogWriterTest, StartFailsWithTheFileName) {
  AccessLogWriter w({dir_ + "/missing/dir/access.log"});
  const auto r = w.start();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("missing/dir/access.log"), std::string::npos) << r.error();
}

TEST_F(AccessLogWriterTest, LinesOutsideStartAndStopAreDroppedAndCounted) {
  AccessLogWriter w({path_});
  w.append(line(1));
  ASSERT_TRUE(w.start());
  w.append(line(2));
  w.stop();
  w.append(line(3) + line(4));
  EXPECT_EQ(w.droppedLines(), 3u);
  EXPECT_EQ(read(path_), kHeader + line(2));
}

TEST_F(AccessLogWriterTest, ReopenAfterRenameStartsANewFileWithTheHeader) {
  AccessLogWriter w({path_});
  ASSERT_TRUE(w.start());
  w.append(line(1));
  ASSERT_TRUE(waitFor(path_, line(1)));
  fs::rename(path_, path_ + ".old");  // what logrotate does
  w.reopen();
  w.append(line(2));
  w.stop();
  EXPECT_EQ(read(path_ + ".old"), kHeader + line(1));
  EXPECT_EQ(read(path_), kHeader + line(2));
  EXPECT_EQ(w.reopens(), 1u);
}

TEST_F(AccessLogWriterTest, RotatesBySizeKeepingWholeLinesAndMaxFiles) {
  // Room for the header and three 8-byte lines per file.
  AccessLogOptions o{path_};
  o.max_bytes = kHeader.size() + 3 * line(1).size();
  o.max_files = 2;
  AccessLogWriter w(o);
  ASSERT_TRUE(w.start());
  for (int i = 1; i <= 9; ++i) w.append(line(i));  // 9 lines, maybe in one batch
  w.stop();
  // Three files of three lines: .2 the oldest.
  EXPECT_EQ(read(path_ + ".2"), kHeader + line(1) + line(2) + line(3));
  EXPECT_EQ(read(path_ + ".1"), kHeader + line(4) + line(5) + line(6));
  EXPECT_EQ(read(path_), kHeader + line(7) + line(8) + line(9));
  EXPECT_FALSE(fs::exists(path_ + ".3"));
  EXPECT_EQ(w.rotations(), 2u);

  // Two more rotations: the oldest file is gone, at most max_files rotated files remain.
  AccessLogWriter w2(o);
  ASSERT_TRUE(w2.start());
  for (int i = 10; i <= 15; ++i) w2.append(line(i));
  w2.stop();
  EXPECT_EQ(read(path_ + ".2"), kHeader + line(7) + line(8) + line(9));
  EXPECT_EQ(read(path_ + ".1"), kHeader + line(10) + line(11) + line(12));
  EXPECT_EQ(read(path_), kHeader + line(13) + line(14) + line(15));
  EXPECT_FALSE(fs::exists(path_ + ".3"));
}

TEST_F(AccessLogWriterTest, ALineLongerThanTheLimitGetsAFileOfItsOwn) {
  AccessLogOptions o{path_};
  o.max_bytes = kHeader.size() + 4;
  AccessLogWriter w(o);
  ASSERT_TRUE(w.start());
  w.append(line(1));
  w.append(line(2));
  w.stop();
  EXPECT_EQ(read(path_ + ".1"), kHeader + line(1));
  EXPECT_EQ(read(path_), kHeader + line(2));
}

// Several threads at once (run under TSan with the multi-worker tests): nothing lost, nothing
// interleaved inside a line.
TEST_F(AccessLogWriterTest, ConcurrentAppendersLoseNothing) {
  AccessLogWriter w({path_});
  ASSERT_TRUE(w.start());
  constexpr int kThreads = 4;
  constexpr int kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&w, t] {
      for (int i = 0; i < kLines; ++i) {
        w.append("t" + std::to_string(t) + " " + std::to_string(i) + "\n");
        if (i % 500 == 0) w.reopen();
      }
    });
  }
  for (auto& th : threads) th.join();
  w.stop();
  std::istringstream in(read(path_));
  std::string l;
  std::vector<int> next(kThreads, 0);
  int header_lines = 0;
  while (std::getline(in, l)) {
    if (l.starts_with("#")) {
      ++header_lines;
      continue;
    }
    int t = -1, i = -1;
    ASSERT_EQ(std::sscanf(l.c_str(), "t%d %d", &t, &i), 2) << l;
    ASSERT_TRUE(t >= 0 && t < kThreads) << l;
    EXPECT_EQ(i, next[static_cast<size_t>(t)]) << "lines of one thread stay in order";
    next[static_cast<size_t>(t)] = i + 1;
  }
  EXPECT_EQ(header_lines, 2);  // reopening the same file adds no header
  for (int n : next) EXPECT_EQ(n, kLines);
  EXPECT_EQ(w.droppedLines(), 0u);
}

}  // namespace
}  // namespace edge::engine
