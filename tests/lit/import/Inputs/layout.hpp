// What the layout tests assert: a generated struct and the header's struct have one size,
// and each field (the generated member `<field>_`) one offset.
#pragma once

#include <cstddef>

#define VGEN_SAME_SIZE(generated, c_struct) \
  static_assert(sizeof(generated) == sizeof(c_struct), #c_struct ": size differs")
#define VGEN_SAME_OFFSET(generated, c_struct, field) \
  static_assert(offsetof(generated, field##_) == offsetof(c_struct, field), #c_struct "." #field ": offset differs")
