// `--trace LOG` of the conformance runner: the sink every check records into - the harness's
// own VirtIO device cores, the halves under test (their queues, status, configuration, Xen
// rings, grants, event channels, store messages, Xenbus states, rpmsg messages), the XenStore
// suite's connections and, for a device program, the harness's register accesses - shared by
// the check processes forked from the runner (the recorder's buffers are a shared mapping).
#pragma once

#include <vgen/trace/hooks.hpp>

namespace vgen::conform {

/// Sets the sink for the checks this process runs from now on (null: none).
void set_check_trace(trace::TraceSink* sink) noexcept;
/// The sink given to set_check_trace(), or null.
trace::TraceSink* check_trace() noexcept;

}  // namespace vgen::conform
