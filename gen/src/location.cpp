#include "vgen/gen/location.hpp"

namespace vgen::gen {

std::string Location::to_string() const {
  if (line == 0) {
    return file;
  }
  return file + ":" + line_column();
}

std::string Location::line_column() const { return std::to_string(line) + ":" + std::to_string(column); }

}  // namespace vgen::gen
