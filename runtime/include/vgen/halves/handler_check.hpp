// The compile-time check that a user's subclass of a generated base overrides every handler
// the spec gives that half. A generated base with such handlers declares
// `template <class User> struct Overrides : User`, whose static_asserts (one per handler,
// through `overridden`) each name the handler, its declaration and the file it belongs in;
// vgen::run_pair and vgen::testing's harnesses run the check before they make the halves, so
// that the first build error a user sees after the spec gained a handler says what to add,
// not that a class is abstract.
#pragma once

#include <type_traits>

namespace vgen::halves {

/// The class declaring the member function a pointer of type `Pointer` points to.
template <class Pointer>
struct declaring_class;
template <class Result, class Class, class... Arguments>
struct declaring_class<Result (Class::*)(Arguments...)> {
  using type = Class;
};
template <class Result, class Class, class... Arguments>
struct declaring_class<Result (Class::*)(Arguments...) noexcept> {
  using type = Class;
};

/// True when `Handler`, a handler's address taken in a class below `Base` (`&Overrides::on_rx`),
/// is declared below `Base`: the user's class overrides it rather than inheriting Base's.
template <auto Handler, class Base>
inline constexpr bool overridden = !std::is_same_v<typename declaring_class<decltype(Handler)>::type, Base>;

/// True, or a compile error naming each handler `Half` lacks (its base's Overrides<Half> is
/// instantiated); true for a half whose base declares no check.
template <class Half>
consteval bool overrides_handlers() {
  if constexpr (requires { typename Half::template Overrides<Half>; }) {
    return sizeof(typename Half::template Overrides<Half>) > 0;
  } else {
    return true;
  }
}

}  // namespace vgen::halves
