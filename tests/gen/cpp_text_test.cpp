// Spec text placed in generated C++: comment text and string literals, and that a compiler
// given the hostile ones keeps comments comments and literals the bytes they stand for.
#include "vgen/gen/render/cpp_text.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace vgen::gen {
namespace {

TEST(CommentText, EveryLineAfterTheFirstIsPrefixed) {
  EXPECT_EQ(comment_text("one line"), "one line");
  EXPECT_EQ(comment_text("first\nsecond\n\nfourth\n"), "first\n/// second\n///\n/// fourth");
  EXPECT_EQ(comment_text("a\r\nb\rc"), "a\n/// b\n/// c");
  EXPECT_EQ(comment_text("\n\nlate start  \n\n"), "late start");
  EXPECT_EQ(comment_text(""), "");
}

TEST(CommentText, NothingEndsTheCommentOrSplicesTheNextLine) {
  EXPECT_EQ(comment_text("a */ b /* c"), "a * / b / * c");
  EXPECT_EQ(comment_text("path C:\\\nint x;"), "path C:\\.\n/// int x;");
  EXPECT_EQ(comment_text("ends in a backslash \\   "), "ends in a backslash \\.");
  EXPECT_EQ(comment_text("trigraph ?\?/"), "trigraph ?\?/.");
  EXPECT_EQ(comment_text("back\\slash inside"), "back\\slash inside");
}

TEST(CommentText, ControlCharactersAndBrokenUtf8AreShownEscaped) {
  EXPECT_EQ(comment_text(std::string_view("nul\0 esc\x1b del\x7f", 14)), "nul\\x00 esc\\x1b del\\x7f");
  EXPECT_EQ(comment_text("tab\tkept, caf\xc3\xa9 kept, caf\xe9 not"), "tab\tkept, caf\xc3\xa9 kept, caf\\xe9 not");
  EXPECT_EQ(comment_text("form\ffeed"), "form\\x0cfeed");
}

TEST(StringLiteral, FullEscaping) {
  EXPECT_EQ(string_literal("vdummy,frontend"), "\"vdummy,frontend\"");
  EXPECT_EQ(string_literal("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(string_literal("?\?="), "\"\\?\\?=\"");
  EXPECT_EQ(string_literal(std::string_view("\0\n\xff" "7", 4)), "\"\\000\\012\\3777\"");
  EXPECT_EQ(string_literal("caf\xc3\xa9"), "\"caf\\303\\251\"");
}

// Hostile texts, each as a comment before a declaration and as a literal whose bytes the
// program compares with the original: a comment that swallowed a line or let text out fails
// to compile or to count, a literal that changed a byte fails at run time.
TEST(CppText, HostileTextCompilesAndKeepsItsBytes) {
  const std::vector<std::string> texts = {
      "line one\nint broken = ;",       "ends in a backslash\\",      "a */ b /* c",
      "trigraph ?\?/\nint broken = ;",  "carriage\rint broken = ;",   "quote \" and backslash \\ ",
      "?\?= ?\?( ?\?' ?\?! ?\?< ?\?> ?\?-",    std::string("nul\0byte", 8), "caf\xe9 \xc3\xa9 \xff\xfe",
      "crlf\r\nint broken = ;\r\n",     "tab\there",                  "\\\n\\\n",
  };
  std::string source = "#include <cstring>\n#include <string_view>\nint count = 0;\n";
  for (std::size_t index = 0; index < texts.size(); ++index) {
    source += "// " + comment_text(texts[index]) + "\nstatic const int declared" + std::to_string(index) +
              " = ++count;\n";
    std::string bytes = "{";
    for (const char c : texts[index]) bytes += std::to_string(static_cast<int>(static_cast<unsigned char>(c))) + ",";
    source += "constexpr std::string_view text" + std::to_string(index) + "{" + string_literal(texts[index]) + ", " +
              std::to_string(texts[index].size()) + "};\nconst unsigned char bytes" + std::to_string(index) + "[] = " + bytes + "0};\n";
  }
  source += "int main() {\n  int failures = 0;\n";
  for (std::size_t index = 0; index < texts.size(); ++index) {
    const std::string n = std::to_string(index);
    source += "  failures += sizeof(" + string_literal(texts[index]) + ") != " + std::to_string(texts[index].size() + 1) +
              " || std::memcmp(text" + n + ".data(), bytes" + n + ", text" + n + ".size()) != 0;\n";
    source += "  failures += declared" + n + " == 0;\n";
  }
  source += "  return failures == 0 && count == " + std::to_string(texts.size()) + " ? 0 : 1;\n}\n";

  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("vgen-cpp-text-" + std::to_string(getpid()));
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "text.cpp") << source;
  const std::string command = std::string(VGEN_CXX_COMPILER) + " -std=c++20 -Wall -Wextra -Werror " +
                              (folder / "text.cpp").string() + " -o " + (folder / "text").string() + " 2> " +
                              (folder / "errors.txt").string() + " && " + (folder / "text").string();
  const int status = std::system(command.c_str());
  std::ifstream errors(folder / "errors.txt");
  const std::string text{std::istreambuf_iterator<char>(errors), std::istreambuf_iterator<char>()};
  std::filesystem::remove_all(folder);
  EXPECT_EQ(status, 0) << text << "\n" << source;
}

}  // namespace
}  // namespace vgen::gen
