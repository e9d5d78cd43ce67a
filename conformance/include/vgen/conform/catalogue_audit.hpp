// The catalogue test: every observable requirement names at least one existing check, every
// check names existing requirements, and the two lists agree in both directions.
#pragma once

#include <string>
#include <vector>

#include <vgen/conform/catalogue.hpp>
#include <vgen/conform/check.hpp>

namespace vgen::conform {

/// Every inconsistency between the catalogues and the checks, one message each (empty when
/// they agree): duplicate ids, an observable requirement without checks, a check named by a
/// requirement that does not exist, a check whose requirement does not exist or does not list
/// it, an unobservable requirement without a reason or with checks.
std::vector<std::string> audit_catalogues(const std::vector<Catalogue>& catalogues,
                                          const std::vector<CheckInfo>& checks);

/// Counts for the summary: requirements per section and per protocol, observable and not.
std::string catalogue_counts(const std::vector<Catalogue>& catalogues, const std::vector<CheckInfo>& checks);

}  // namespace vgen::conform
