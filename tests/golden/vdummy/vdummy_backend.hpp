// vdummy: the backend half. vgen wrote this file once; it is yours to change, and vgen
// never overwrites it. The generated base class (vdummy_backend_base.hpp) does the
// Xenbus and ring work; the handlers here are what the backend does.
#pragma once

#include "vdummy_backend_base.hpp"

namespace vdummy {

/// The vdummy backend. By default it answers every request with a response that echoes
/// the fields the two types share (same name and type) and leaves the rest zero.
class VdummyBackend : public VdummyBackendBase {
 public:
  using VdummyBackendBase::VdummyBackendBase;

 protected:
  BackendNodes on_connected(const FrontendNodes& nodes) override;
  VdummyResponse on_request(const VdummyRequest& request) override;
};

}  // namespace vdummy
