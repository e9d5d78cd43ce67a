# Warning policy and sanitizer flags applied to every vgen target.
add_library(vgen_flags INTERFACE)
target_compile_options(vgen_flags INTERFACE -Wall -Wextra -Werror -Wshadow
                       $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>)

if(VGEN_SANITIZE STREQUAL "address")
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  if(VGEN_FUZZ)
    list(APPEND _san -fsanitize=fuzzer-no-link)   # coverage for libFuzzer in the library too
  endif()
elseif(VGEN_SANITIZE STREQUAL "thread")
  set(_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT VGEN_SANITIZE STREQUAL "")
  message(FATAL_ERROR "VGEN_SANITIZE must be empty, 'address' or 'thread', not '${VGEN_SANITIZE}'")
endif()
if(_san)
  add_compile_options(${_san})
  add_link_options(${_san})
endif()
