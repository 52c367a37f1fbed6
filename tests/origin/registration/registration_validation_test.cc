#include "origin/registration/registration_validation.h"

#include <gtest/gtest.h>

namespace edge::registration {
namespace {

const std::vector<Session> kSessions{{"keynote", "Opening keynote"}, {"b", "B"}};

FieldErrors errorsOf(std::string_view body) {
  auto r = validateRegistration(body, kSessions);
  return r ? FieldErrors{} : r.error();
}

std::vector<std::string> fieldsOf(std::string_view body) {
  std::vector<std::string> out;
  for (const auto& e : errorsOf(body)) out.push_back(e.field);
  return out;
}

TEST(RegistrationValidation, AcceptsAndTrims) {
  auto r = validateRegistration(R"({"name":"  Ada Lovelace ","email":" Ada@Example.org ","affiliation":" ACM ",)"
                                R"("session":"keynote"})",
                                kSessions);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (NewRegistration{"Ada Lovelace", "Ada@Example.org", "ACM", "keynote"}));
}

TEST(RegistrationValidation, AffiliationMayBeAbsentOrEmpty) {
  EXPECT_TRUE(validateRegistration(R"({"name":"A","email":"a@b.c","session":"b"})", kSessions));
  EXPECT_TRUE(validateRegistration(R"({"name":"A","email":"a@b.c","affiliation":"","session":"b"})", kSessions));
}

TEST(RegistrationValidation, ListsEveryBadFieldTogether) {
  EXPECT_EQ(fieldsOf(R"({"name":"","email":"nope","affiliation":7,"session":"zzz","extra":1,"more":2})"),
            (std::vector<std::string>{"name", "email", "affiliation", "session", "extra", "more"}));
  EXPECT_EQ(fieldsOf("{}"), (std::vector<std::string>{"name", "email", "session"}));
}

TEST(RegistrationValidation, NameRules) {
  EXPECT_EQ(fieldsOf(R"({"name":"   ","email":"a@b.c","session":"b"})"), std::vector<std::string>{"name"});
  EXPECT_EQ(fieldsOf(R"({"name":")" + std::string(101, 'x') + R"(","email":"a@b.c","session":"b"})"),
            std::vector<std::string>{"name"});
  // 100 two-byte characters are 100 characters, not 200.
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "\xc3\xa9";
  EXPECT_TRUE(fieldsOf(R"({"name":")" + hundred + R"(","email":"a@b.c","session":"b"})").empty());
  EXPECT_EQ(fieldsOf(R"({"name":"a\u0007b","email":"a@b.c","session":"b"})"), std::vector<std::string>{"name"});
  EXPECT_EQ(fieldsOf(R"({"name":"a\u0085b","email":"a@b.c","session":"b"})"), std::vector<std::string>{"name"});
  EXPECT_EQ(fieldsOf(R"({"name":["x"],"email":"a@b.c","session":"b"})"), std::vector<std::string>{"name"});
}

TEST(RegistrationValidation, EmailRules) {
  for (const char* bad : {"", "no-at", "a@@b.c", "a@b@c.d", "@b.c", "a@nodot", "a b@c.d", "a@b.c.", "a@.bc"}) {
    const std::string body = std::string(R"({"name":"A","email":")") + bad + R"(","session":"b"})";
    EXPECT_EQ(fieldsOf(body), std::vector<std::string>{"email"}) << bad;
  }
  const std::string long_local(250, 'a');
  EXPECT_EQ(fieldsOf(R"({"name":"A","email":")" + long_local + R"(@b.cd","session":"b"})"),
            std::vector<std::string>{"email"});
  EXPECT_EQ(fieldsOf(R"({"name":"A","email":"a\tb@c.d","session":"b"})"), std::vector<std::string>{"email"});
}

TEST(RegistrationValidation, AffiliationAndSessionRules) {
  EXPECT_EQ(fieldsOf(R"({"name":"A","email":"a@b.c","affiliation":")" + std::string(121, 'x') + R"(","session":"b"})"),
            std::vector<std::string>{"affiliation"});
  EXPECT_EQ(fieldsOf(R"({"name":"A","email":"a@b.c","session":"KEYNOTE"})"), std::vector<std::string>{"session"});
  EXPECT_EQ(fieldsOf(R"({"name":"A","email":"a@b.c","session":1})"), std::vector<std::string>{"session"});
}

TEST(RegistrationValidation, BodyThatIsNotAnObject) {
  for (const char* body : {"[]", "\"x\"", "42", "null", "{", ""}) {
    EXPECT_EQ(fieldsOf(body), std::vector<std::string>{"body"}) << body;
  }
  // Bad UTF-8 inside a string: rejected as a body problem (the JSON is not text).
  EXPECT_EQ(fieldsOf("{\"name\":\"A\xff\",\"email\":\"a@b.c\",\"session\":\"b\"}"), std::vector<std::string>{"body"});
  EXPECT_EQ(errorsOf("{\"name\":\"\xc0\xaf\"}").at(0).message, "must be valid UTF-8");
}

TEST(RegistrationValidation, Utf8Checker) {
  EXPECT_TRUE(isValidUtf8("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xc0\x80"));          // overlong
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xe2\x82"));          // truncated
  EXPECT_EQ(codePoints("\xc3\xa9t\xc3\xa9"), 3u);
}

}  // namespace
}  // namespace edge::registration
