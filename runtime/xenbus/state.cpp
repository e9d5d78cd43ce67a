#include <vgen/xenbus/error.hpp>
#include <vgen/xenbus/nodes.hpp>
#include <vgen/xenbus/state.hpp>

namespace vgen::xenbus {

const char* to_string(State state) noexcept {
  switch (state) {
    case State::Unknown:
      return "Unknown";
    case State::Initialising:
      return "Initialising";
    case State::InitWait:
      return "InitWait";
    case State::Initialised:
      return "Initialised";
    case State::Connected:
      return "Connected";
    case State::Closing:
      return "Closing";
    case State::Closed:
      return "Closed";
    case State::Reconfiguring:
      return "Reconfiguring";
    case State::Reconfigured:
      return "Reconfigured";
  }
  return "invalid";
}

const char* to_string(Side side) noexcept { return side == Side::Frontend ? "frontend" : "backend"; }

State parse_state(std::string_view value, std::string_view node) {
  return static_cast<State>(parse_number(value, node, kMaxState));
}

namespace {

bool is_one_of(State state, std::initializer_list<State> states) {
  for (State candidate : states) {
    if (candidate == state) return true;
  }
  return false;
}

bool frontend_allows(State from, State to) {
  using enum State;
  switch (to) {
    case Initialising:
      return true;
    case Initialised:
      return is_one_of(from, {Initialising, Closed});
    case Connected:
      return is_one_of(from, {Initialised, Reconfiguring});
    case Closing:
      return is_one_of(from, {Initialising, Initialised, Connected, Reconfiguring});
    case Closed:
      return is_one_of(from, {Closing, Initialising, Initialised});
    case Reconfiguring:
      return from == Connected;
    default:
      return false;
  }
}

bool backend_allows(State from, State to) {
  using enum State;
  switch (to) {
    case InitWait:
      return is_one_of(from, {Initialising, Closed, Connected, Reconfigured});
    case Connected:
      return is_one_of(from, {Initialising, InitWait, Reconfigured});
    case Reconfigured:
      return from == Connected;
    case Closing:
      return is_one_of(from, {Initialising, InitWait, Connected, Reconfigured});
    case Closed:
      return is_one_of(from, {Closing, Initialising, InitWait});
    default:
      return false;
  }
}

}  // namespace

bool transition_allowed(Side side, State from, State to) noexcept {
  if (from == to) return true;
  return side == Side::Frontend ? frontend_allows(from, to) : backend_allows(from, to);
}

}  // namespace vgen::xenbus
