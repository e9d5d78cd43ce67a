// vdummy: the backend half's handlers (yours; vgen never overwrites this file).
#include "vdummy_backend.hpp"

#include <cstdio>
#include <string>

namespace vdummy {
namespace {

void log(const std::string& line) {
  std::printf("backend: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

BackendNodes VdummyBackend::on_connected([[maybe_unused]] const FrontendNodes& nodes) {
  log("connected to " + other_path());
  BackendNodes own;
  return own;
}

VdummyResponse VdummyBackend::on_request(const VdummyRequest& request) {
  log("request " + describe(request));
  VdummyResponse response;
  response.set_id(request.id());
  return response;
}

}  // namespace vdummy
