// Describing a device half to a harness in another process.
#include "description.hpp"

#include <cstdio>
#include <sstream>

#include <vgen/error.hpp>

namespace vgen::conform::virtio_checks {
namespace {

std::string hex(const std::vector<std::byte>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const std::byte b : bytes) {
    out += digits[std::to_integer<int>(b) >> 4];
    out += digits[std::to_integer<int>(b) & 15];
  }
  return out.empty() ? "-" : out;
}

std::vector<std::byte> unhex(const std::string& text, int line) {
  std::vector<std::byte> out;
  if (text == "-") return out;
  if (text.size() % 2 != 0)
    throw vgen::Error("description line " + std::to_string(line) + ": odd number of hex digits");
  for (std::size_t i = 0; i < text.size(); i += 2)
    out.push_back(static_cast<std::byte>(std::stoi(text.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace

std::string describe_device(const VirtioTarget& target) {
  std::ostringstream out;
  for (const VirtioProbe& p : target.probes) {
    out << "probe " << p.queue << ' '
        << (p.find_out   ? 2
            : p.answered ? 1
                         : 0)
        << ' ' << p.writable << ' ' << hex(p.readable) << '\n';
  }
  if (target.make_device) {
    for (const virtio::FeatureDependency& d : target.make_device()->feature_rules().dependencies()) {
      out << "rule " << d.feature << ' ' << d.required << '\n';
    }
  }
  return out.str();
}

DeviceDescription parse_description(const std::string& text) {
  DeviceDescription d;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream words(line);
    std::string kind;
    if (!(words >> kind)) continue;
    if (kind == "probe") {
      VirtioProbe p;
      int answered = 0;
      std::string readable;
      if (!(words >> p.queue >> answered >> p.writable >> readable))
        throw vgen::Error("description line " + std::to_string(number) + ": malformed probe");
      p.answered = answered == 1;
      p.find_out = answered == 2;
      p.readable = unhex(readable, number);
      d.probes.push_back(std::move(p));
    } else if (kind == "rule") {
      unsigned feature = 0, required = 0;
      if (!(words >> feature >> required))
        throw vgen::Error("description line " + std::to_string(number) + ": malformed rule");
      if (!d.rules) d.rules.emplace();
      d.rules->add({feature, required});
    } else {
      throw vgen::Error("description line " + std::to_string(number) + ": unknown entry '" + kind + "'");
    }
  }
  return d;
}

DeviceDescription ask_program(const std::string& command) {
  const std::string full = command + " --conform-describe";
  std::FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) throw vgen::Error("cannot run " + full);
  std::string text;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) text += buffer;
  const int status = ::pclose(pipe);
  if (status != 0) throw vgen::Error(full + " failed (status " + std::to_string(status) + ")");
  return parse_description(text);
}

}  // namespace vgen::conform::virtio_checks
