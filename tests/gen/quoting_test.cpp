// Spec text in messages: whole UTF-8 characters, escapes for everything else.
#include "vgen/gen/diagnostics/quoting.hpp"

#include <gtest/gtest.h>

namespace vgen::gen {
namespace {

TEST(Quoting, ValidUtf8StaysWhole) {
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(printable("plain"), "plain");
}

TEST(Quoting, InvalidBytesAreEscapedOneByOne) {
  EXPECT_EQ(printable("caf\xe9"), "caf\\xe9");                       // Latin-1
  EXPECT_EQ(printable("\xc3"), "\\xc3");                             // a lead byte alone
  EXPECT_EQ(printable("\xc3x"), "\\xc3x");                           // a lead byte before ASCII
  EXPECT_EQ(printable("\x80\xbf"), "\\x80\\xbf");                    // continuation bytes alone
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a UTF-16 surrogate
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");                    // a sequence cut short
}

TEST(Quoting, ControlCharactersAreEscaped) {
  EXPECT_EQ(printable("a\tb\nc\rd"), "a\\tb\\nc\\rd");
  EXPECT_EQ(printable(std::string_view("\x00\x1b\x7f", 3)), "\\x00\\x1b\\x7f");
}

TEST(Quoting, PrintableTwiceIsPrintableOnce) {
  const std::string once = printable("caf\xe9\t\xc3\xa9");
  EXPECT_EQ(printable(once), once);
}

TEST(Quoting, ShortenedCutsBetweenCharacters) {
  EXPECT_EQ(shortened("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xc3\xa9...");
  EXPECT_EQ(shortened("abc", 3), "abc");
  EXPECT_EQ(shortened("abcd", 3), "abc...");
  EXPECT_EQ(shortened("\xe9\xe9\xe9", 2), "\xe9\xe9...");
}

TEST(Quoting, CharacterAtTakesTheWholeSequence) {
  EXPECT_EQ(character_at("caf\xc3\xa9", 3), "\xc3\xa9");
  EXPECT_EQ(character_at("\xe2\x82\xac!", 0), "\xe2\x82\xac");
  EXPECT_EQ(character_at("caf\xe9", 3), "\xe9");
  EXPECT_EQ(character_at("abc", 3), "");
}

}  // namespace
}  // namespace vgen::gen
