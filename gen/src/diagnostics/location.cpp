#include "vgen/gen/diagnostics/location.hpp"

namespace vgen::gen {

std::string Location::to_string() const {
  if (line == 0) {
    return file;
  }
  return file + ":" + line_column();
}

std::string Location::line_column() const { return std::to_string(line) + ":" + std::to_string(column); }

Location Location::at(const Position& position) const {
  if (position.line == 0) {
    return *this;
  }
  return Location{file, position.line, position.column};
}

}  // namespace vgen::gen
