#include "vgen/conform/trace.hpp"

#include <atomic>

namespace vgen::conform {
namespace {

std::atomic<trace::TraceSink*> g_check_trace{nullptr};

}  // namespace

void set_check_trace(trace::TraceSink* sink) noexcept { g_check_trace.store(sink); }

trace::TraceSink* check_trace() noexcept { return g_check_trace.load(); }

}  // namespace vgen::conform
