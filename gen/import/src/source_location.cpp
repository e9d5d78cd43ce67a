// Positions in the parsed headers, as vgen prints them.
#include "source_location.hpp"

namespace vgen::import {

namespace {

clang::PresumedLoc presumed(const clang::SourceManager& sources, clang::SourceLocation location) {
  return sources.getPresumedLoc(sources.getFileLoc(location));
}

}  // namespace

std::string located(const clang::SourceManager& sources, clang::SourceLocation location, std::string_view severity,
                    std::string_view message) {
  std::string text;
  const clang::PresumedLoc at = location.isValid() ? presumed(sources, location) : clang::PresumedLoc();
  if (at.isValid()) {
    text += std::string(at.getFilename()) + ':' + std::to_string(at.getLine()) + ':' + std::to_string(at.getColumn()) +
            ": ";
  }
  text += std::string(severity) + ": " + std::string(message);
  return text;
}

std::string position(const clang::SourceManager& sources, clang::SourceLocation location) {
  const clang::PresumedLoc at = location.isValid() ? presumed(sources, location) : clang::PresumedLoc();
  if (!at.isValid()) return "";
  return std::string(at.getFilename()) + ':' + std::to_string(at.getLine()) + ':' + std::to_string(at.getColumn());
}

std::string origin(const clang::SourceManager& sources, clang::SourceLocation location) {
  const clang::PresumedLoc at = location.isValid() ? presumed(sources, location) : clang::PresumedLoc();
  if (!at.isValid()) return "";
  return std::string(at.getFilename()) + ':' + std::to_string(at.getLine());
}

}  // namespace vgen::import
