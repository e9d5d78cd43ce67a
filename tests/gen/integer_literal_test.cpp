// Integers rendered as C++ literals: the text, and that a compiler accepts each as the
// value it stands for, in the integer types of enums at both ends of their ranges.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "vgen/gen/spec/integer.hpp"

namespace vgen::gen {
namespace {

Integer value(const char* text) { return *parse_integer(text); }

TEST(IntegerLiteral, Text) {
  EXPECT_EQ(cpp_literal(value("0")), "0");
  EXPECT_EQ(cpp_literal(value("-1")), "-1");
  EXPECT_EQ(cpp_literal(value("0xffffffff")), "4294967295");
  EXPECT_EQ(cpp_literal(value("9223372036854775807")), "9223372036854775807");
  EXPECT_EQ(cpp_literal(value("9223372036854775808")), "9223372036854775808ull");
  EXPECT_EQ(cpp_literal(value("0xffffffffffffffff")), "18446744073709551615ull");
  EXPECT_EQ(cpp_literal(value("-9223372036854775807")), "-9223372036854775807");
  EXPECT_EQ(cpp_literal(value("-9223372036854775808")), "(-9223372036854775807 - 1)");
}

// An enum per integer type with its extremes as enumerators, and the high one as a braced
// initializer of the type, each checked against <limits> by a static_assert.
std::string extremes_source() {
  struct Extreme {
    const char* type;
    const char* low;
    const char* high;
  };
  const Extreme extremes[] = {{"std::uint8_t", "0", "255"},
                              {"std::uint16_t", "0", "65535"},
                              {"std::uint32_t", "0", "4294967295"},
                              {"std::uint64_t", "0", "18446744073709551615"},
                              {"std::int8_t", "-128", "127"},
                              {"std::int16_t", "-32768", "32767"},
                              {"std::int32_t", "-2147483648", "2147483647"},
                              {"std::int64_t", "-9223372036854775808", "9223372036854775807"}};
  std::string source = "#include <cstdint>\n#include <limits>\n";
  int index = 0;
  for (const Extreme& extreme : extremes) {
    const std::string name = "E" + std::to_string(index++);
    source += "enum class " + name + " : " + extreme.type + " { low = " + cpp_literal(value(extreme.low)) +
              ", high = " + cpp_literal(value(extreme.high)) + " };\n";
    source += "static_assert(static_cast<" + std::string(extreme.type) + ">(" + name +
              "::low) == std::numeric_limits<" + extreme.type + ">::min());\n";
    source += "static_assert(static_cast<" + std::string(extreme.type) + ">(" + name +
              "::high) == std::numeric_limits<" + extreme.type + ">::max());\n";
    // Braces: a literal that does not fit the type is a narrowing error.
    source += "static_assert(" + std::string(extreme.type) + "{" + cpp_literal(value(extreme.high)) +
              "} == std::numeric_limits<" + extreme.type + ">::max());\n";
  }
  return source;
}

TEST(IntegerLiteral, ExtremesCompileToTheirValues) {
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("vgen-literal-" + std::to_string(getpid()));
  std::filesystem::create_directories(folder);
  const std::filesystem::path source = folder / "extremes.cpp";
  std::ofstream(source) << extremes_source();
  const std::string command = std::string(VGEN_CXX_COMPILER) + " -std=c++20 -fsyntax-only -Wall -Wextra -Werror " +
                              source.string() + " 2> " + (folder / "errors.txt").string();
  const int status = std::system(command.c_str());
  std::ifstream errors(folder / "errors.txt");
  const std::string text{std::istreambuf_iterator<char>(errors), std::istreambuf_iterator<char>()};
  std::filesystem::remove_all(folder);
  EXPECT_EQ(status, 0) << text;
}

}  // namespace
}  // namespace vgen::gen
