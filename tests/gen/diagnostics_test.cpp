// Diagnostic formatting and ordering.
#include <gtest/gtest.h>

#include "vgen/gen/diagnostics/diagnostics.hpp"

namespace vgen::gen {
namespace {

TEST(Diagnostics, CompilerStyleLines) {
  EXPECT_EQ((Diagnostic{{"a.yaml", 7, 5}, "bad"}).to_string(), "a.yaml:7:5: error: bad");
  EXPECT_EQ((Diagnostic{{"a.yaml", 0, 0}, "unreadable"}).to_string(), "a.yaml: error: unreadable");
}

TEST(Diagnostics, SortedGroupsFilesByFirstReportAndOrdersPositions) {
  Diagnostics diagnostics;
  diagnostics.error({"b.yaml", 9, 1}, "b late");
  diagnostics.error({"a.yaml", 3, 2}, "a second");
  diagnostics.error({"b.yaml", 2, 4}, "b early");
  diagnostics.error({"a.yaml", 3, 1}, "a first");
  diagnostics.error({"b.yaml", 2, 4}, "b early");  // exact repeat
  diagnostics.error({"b.yaml", 2, 4}, "b same place");
  std::vector<std::string> lines;
  for (const Diagnostic& diagnostic : diagnostics.sorted()) {
    lines.push_back(diagnostic.to_string());
  }
  std::vector<std::string> expected{"b.yaml:2:4: error: b early", "b.yaml:2:4: error: b same place",
                                    "b.yaml:9:1: error: b late", "a.yaml:3:1: error: a first",
                                    "a.yaml:3:2: error: a second"};
  EXPECT_EQ(lines, expected);
  EXPECT_EQ(diagnostics.size(), 6u);  // entries() keeps everything
}

TEST(Diagnostics, AppendKeepsOrder) {
  Diagnostics first;
  first.error({"x", 1, 1}, "one");
  Diagnostics second;
  second.error({"y", 1, 1}, "two");
  first.append(second);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first.entries()[1].message, "two");
  EXPECT_FALSE(first.empty());
}

}  // namespace
}  // namespace vgen::gen
