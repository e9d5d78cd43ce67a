// Requirement matrices side by side.
#include "side_by_side.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

#include <vgen/error.hpp>

#include "yaml_file.hpp"

namespace vgen::conform {
namespace {

// Results from strongest to weakest: a column shows the strongest any of its runs gave.
constexpr std::array<const char*, 6> kStrength = {"FAIL", "DEVIATES", "PASS", "SKIP", "n/o", "-"};

std::size_t strength(const std::string& result) {
  for (std::size_t i = 0; i < kStrength.size(); ++i) {
    if (result == kStrength[i]) return i;
  }
  return kStrength.size();  // unknown: weaker than anything known
}

struct Column {
  std::map<std::string, std::string> results;  // requirement -> result
};

Column read_column(const MatrixColumn& column, std::vector<std::string>& order) {
  Column out;
  for (const std::filesystem::path& file : column.files) {
    const YAML::Node root = load_yaml(file);
    const YAML::Node requirements = root["requirements"];
    if (!requirements || !requirements.IsSequence())
      problem(file, root.Mark(), "not a requirement matrix (no \"requirements\" list)");
    for (const YAML::Node& r : requirements) {
      if (!r["id"] || !r["result"]) problem(file, r.Mark(), "a requirement without \"id\" or \"result\"");
      const std::string id = r["id"].as<std::string>();
      const std::string result = r["result"].as<std::string>();
      if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
      auto [it, fresh] = out.results.emplace(id, result);
      if (!fresh && strength(result) < strength(it->second)) it->second = result;
    }
  }
  return out;
}

}  // namespace

MatrixColumn parse_column(const std::string& text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
    throw vgen::Error("a column is LABEL=FILE[,FILE...], not '" + text + "'");
  MatrixColumn column{text.substr(0, equals), {}};
  std::size_t start = equals + 1;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma == start) throw vgen::Error("an empty file name in column '" + text + "'");
    column.files.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return column;
}

std::string side_by_side(const std::vector<MatrixColumn>& columns) {
  std::vector<std::string> order;
  std::vector<Column> read;
  for (const MatrixColumn& c : columns) read.push_back(read_column(c, order));
  std::size_t width = 11;  // "requirement"
  for (const std::string& id : order) width = std::max(width, id.size());
  std::string out = "side by side:";
  for (const MatrixColumn& c : columns) out += " " + c.label;
  out += "\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %-*s", static_cast<int>(width), "requirement");
  out += line;
  for (const MatrixColumn& c : columns) out += " " + c.label;
  out += "\n";
  std::size_t differing = 0;
  std::vector<std::map<std::string, int>> counts(columns.size());
  for (const std::string& id : order) {
    std::string row;
    bool differs = false;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto it = read[i].results.find(id);
      const std::string result = it == read[i].results.end() ? "-" : it->second;
      ++counts[i][result];
      differs = differs || (i > 0 && result != (read[0].results.count(id) ? read[0].results.at(id) : "-"));
      std::snprintf(line, sizeof line, " %-*s", static_cast<int>(std::max<std::size_t>(columns[i].label.size(), 8)),
                    result.c_str());
      row += line;
    }
    differing += differs ? 1 : 0;
    std::snprintf(line, sizeof line, "%s %-*s", differs ? "*" : " ", static_cast<int>(width), id.c_str());
    std::string whole = line + row;
    whole.erase(whole.find_last_not_of(' ') + 1);
    out += whole + "\n";
  }
  for (std::size_t i = 0; i < columns.size(); ++i) {
    out += columns[i].label + ":";
    for (const char* result : kStrength) {
      const auto it = counts[i].find(result);
      if (it != counts[i].end()) out += std::string(" ") + result + "=" + std::to_string(it->second);
    }
    out += "\n";
  }
  out += "rows that differ: " + std::to_string(differing) + "\n";
  return out;
}

}  // namespace vgen::conform
