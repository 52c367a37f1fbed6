#include "origin/registration/registration_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace edge::registration {
namespace {

const std::vector<Session> kSessions{{"keynote", "Opening keynote"}, {"b", "B"}};

TEST(RegistrationJson, RendersPendingAndIssued) {
  RegistrationConfig cfg;
  cfg.sessions = kSessions;
  Registration r{"r_aaaaaaaaaaaaaaaaaaaaaaaaaa", "Ann \"Q\"", "a@b.c", "", "keynote", "pending", 1795964400, {}, {}};
  auto j = nlohmann::json::parse(renderRegistration(r, cfg));
  EXPECT_EQ(j["id"], r.id);
  EXPECT_EQ(j["name"], "Ann \"Q\"");
  EXPECT_EQ(j["sessionTitle"], "Opening keynote");
  EXPECT_EQ(j["status"], "pending");
  EXPECT_EQ(j["createdAt"], "2026-11-29T15:00:00Z");
  EXPECT_TRUE(j["issuedAt"].is_null());
  EXPECT_TRUE(j["certificateUrl"].is_null());
  EXPECT_EQ(j.size(), 10u);
  r.status = "issued";
  r.issued_at = 1795964461;
  j = nlohmann::json::parse(renderRegistration(r, cfg));
  EXPECT_EQ(j["issuedAt"], "2026-11-29T15:01:01Z");
  EXPECT_EQ(j["certificateUrl"], "/certificates/r_aaaaaaaaaaaaaaaaaaaaaaaaaa.svg");
}

TEST(RegistrationJson, ListsSessionsAndErrors) {
  RegistrationConfig cfg;
  cfg.conference_name = "EdgeConf";
  cfg.sessions = kSessions;
  EXPECT_EQ(renderSessions(cfg),
            R"({"conference":"EdgeConf","sessions":[{"id":"keynote","title":"Opening keynote"},{"id":"b","title":"B"}]})");
  EXPECT_EQ(renderRegistrationList({}, cfg), R"({"registrations":[]})");
  EXPECT_EQ(renderError("Validation failed", {{"email", "bad"}}),
            R"({"errors":[{"field":"email","message":"bad"}],"message":"Validation failed"})");
  EXPECT_EQ(renderError("Nope"), R"({"message":"Nope"})");
}

}  // namespace
}  // namespace edge::registration
