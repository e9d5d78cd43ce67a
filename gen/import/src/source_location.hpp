// Positions in the parsed headers, as vgen prints them.
#pragma once

#include <string>
#include <string_view>

#include <clang/Basic/SourceLocation.h>
#include <clang/Basic/SourceManager.h>

namespace vgen::import {

/// `file:line:col: <severity>: <message>` at `location` (where a macro expands, its spelling's
/// file position); `<severity>: <message>` when the location is unknown.
std::string located(const clang::SourceManager& sources, clang::SourceLocation location, std::string_view severity,
                    std::string_view message);

/// `file:line:col` of `location`, or "" when it is unknown.
std::string position(const clang::SourceManager& sources, clang::SourceLocation location);

/// `file:line` of `location`, for the spec's descriptions.
std::string origin(const clang::SourceManager& sources, clang::SourceLocation location);

}  // namespace vgen::import
