// Runs a split pair, the frontend as domain 1 and the backend as domain 2 of device 0: as two
// threads over an in-process store (each half through its own client), a grant table the
// backend attaches to and linked event channels; and as two processes that find each other
// through a store server this process runs (the XenStore wire protocol on a Unix socket),
// with the grant table and the event channel link handed to the backend over socketpairs,
// as a hypervisor would. The toolstack creates the device (xenbus), or the platform
// populates it (vbus, where each domain's bus attaches the halves by compatible string);
// the frontend closes when every request is answered, and the toolstack destroys the
// device, which ends the backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <vgen/halves/handler_check.hpp>
#include <vgen/halves/split_backend.hpp>
#include <vgen/halves/split_frontend.hpp>
#include <vgen/pair/connection.hpp>

namespace vgen::pair {

/// How far the frontend's demo got.
struct Progress {
  std::size_t answered = 0;    ///< requests answered as expected
  std::size_t expected = 0;    ///< requests the demo sends
  std::size_t mismatches = 0;  ///< responses that answered no request, or wrongly
};

/// The two halves of a split pair, as the runner makes and watches them.
struct SplitHalves {
  /// The device type both halves follow.
  const halves::SplitSpec* spec = nullptr;
  /// Pages the frontend grants beside the rings (the frames after theirs in its grant table).
  std::uint32_t data_pages = 0;
  /// Makes the frontend of `device`.
  std::function<std::unique_ptr<halves::SplitFrontendLink>(store::Client&, const xenbus::DeviceAddress&,
                                                           xen::GrantTable&, xen::EventChannels&)>
      make_frontend;
  /// Makes the backend of `device` (the runner probes it, or the vbus bus does).
  std::function<std::unique_ptr<halves::SplitBackendLink>(store::Client&, const xenbus::DeviceAddress&,
                                                          xen::GrantMapper&, xen::EventChannels&)>
      make_backend;
  /// The frontend's demo progress.
  std::function<Progress(const halves::SplitFrontendLink&)> progress;
};

/// The connections of a split pair: "threads" and "processes".
std::vector<Connection> split_connections(const SplitHalves& halves);

/// The halves of `Frontend` (with `static constexpr std::uint32_t kDataPages`,
/// `static constexpr std::size_t kDemoRequests`, `answered()` and `mismatches()`) and
/// `Backend`, both made from one spec.
template <class Frontend, class Backend>
SplitHalves split_halves() {
  static_assert(&Frontend::kSpec == &Backend::kSpec, "both halves follow the same spec");
  static_assert(halves::overrides_handlers<Frontend>() && halves::overrides_handlers<Backend>());
  return {&Frontend::kSpec, Frontend::kDataPages,
          [](store::Client& client, const xenbus::DeviceAddress& device, xen::GrantTable& table,
             xen::EventChannels& events) { return std::make_unique<Frontend>(client, device, table, events); },
          [](store::Client& client, const xenbus::DeviceAddress& device, xen::GrantMapper& mapper,
             xen::EventChannels& events) { return std::make_unique<Backend>(client, device, mapper, events); },
          [](const halves::SplitFrontendLink& link) {
            const auto& frontend = static_cast<const Frontend&>(link);
            return Progress{frontend.answered(), Frontend::kDemoRequests, frontend.mismatches()};
          }};
}

}  // namespace vgen::pair
