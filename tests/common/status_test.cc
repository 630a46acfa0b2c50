#include "feedscout/common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace feedscout {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.is_ok());
  EXPECT_EQ(s.code(), Status::Code::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.to_string(), "OK");
  EXPECT_TRUE(Status::ok().is_ok());
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  struct Case {
    Status status;
    Status::Code code;
    const char* name;
  };
  const Case cases[] = {
      {Status::invalid_argument("m"), Status::Code::kInvalidArgument, "InvalidArgument"},
      {Status::not_found("m"), Status::Code::kNotFound, "NotFound"},
      {Status::already_exists("m"), Status::Code::kAlreadyExists, "AlreadyExists"},
      {Status::io_error("m"), Status::Code::kIOError, "IOError"},
      {Status::corruption("m"), Status::Code::kCorruption, "Corruption"},
      {Status::busy("m"), Status::Code::kBusy, "Busy"},
      {Status::unavailable("m"), Status::Code::kUnavailable, "Unavailable"},
      {Status::internal("m"), Status::Code::kInternal, "Internal"},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(c.status.is_ok()) << c.name;
    EXPECT_EQ(c.status.code(), c.code) << c.name;
    EXPECT_EQ(c.status.message(), "m") << c.name;
    EXPECT_STREQ(status_code_name(c.code), c.name);
    EXPECT_EQ(c.status.to_string(), std::string(c.name) + ": m");
  }
  EXPECT_STREQ(status_code_name(Status::Code::kOk), "OK");
}

TEST(StatusTest, WithContextPrefixesErrorsOnly) {
  const Status s = Status::invalid_argument("field 'time': bad").with_context("line 3");
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "line 3: field 'time': bad");
  EXPECT_EQ(s.to_string(), "InvalidArgument: line 3: field 'time': bad");
  // Nested context reads outermost first.
  EXPECT_EQ(s.with_context("file a.jsonl").message(), "file a.jsonl: line 3: field 'time': bad");
  // OK stays OK with an empty message.
  const Status ok = Status::ok().with_context("ignored");
  EXPECT_TRUE(ok.is_ok());
  EXPECT_EQ(ok.message(), "");
}

TEST(ResultTest, HoldsValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(r.status().is_ok());
  *r = 7;
  EXPECT_EQ(r.value(), 7);
}

TEST(ResultTest, HoldsError) {
  Result<std::string> r = Status::not_found("no such user");
  EXPECT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(r.status().message(), "no such user");
}

TEST(ResultTest, ArrowAndMoveOnlyValues) {
  Result<std::string> s = std::string("abc");
  EXPECT_EQ(s->size(), 3u);
  Result<std::unique_ptr<int>> p = std::make_unique<int>(5);
  ASSERT_TRUE(p.is_ok());
  std::unique_ptr<int> taken = std::move(p).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 5);
}

Status fails_at(int step, int* reached) {
  auto step_fn = [&](int i) -> Status {
    *reached = i;
    return i == step ? Status::io_error("step " + std::to_string(i)) : Status::ok();
  };
  FEEDSCOUT_RETURN_IF_ERROR(step_fn(1));
  FEEDSCOUT_RETURN_IF_ERROR(step_fn(2));
  FEEDSCOUT_RETURN_IF_ERROR(step_fn(3));
  return Status::ok();
}

TEST(StatusMacroTest, ReturnIfErrorStopsAtFirstError) {
  int reached = 0;
  Status s = fails_at(2, &reached);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "step 2");
  EXPECT_EQ(reached, 2);  // step 3 never ran

  reached = 0;
  EXPECT_TRUE(fails_at(0, &reached).is_ok());
  EXPECT_EQ(reached, 3);
}

}  // namespace
}  // namespace feedscout
