/* Structs vgen import refuses, one construct each; the tests check each error's position. */
#include <stdint.h>

struct with_bitfield {
  uint32_t kind : 4;
  uint32_t length : 28;
};

struct with_flexible_array {
  uint32_t count;
  uint8_t data[];
};

struct with_pointer {
  uint32_t length;
  void *buffer;
};

typedef unsigned int word_t;
struct with_unknown_typedef {
  word_t word;
};

struct with_union {
  uint32_t tag;
  union {
    uint32_t number;
    uint16_t half;
  } value;
};

struct __attribute__((packed)) with_packed_field {
  uint8_t kind;
  uint32_t length;
};

struct with_float {
  float ratio;
};

union whole_union {
  uint32_t number;
  uint8_t bytes[4];
};

struct with_reserved_name {
  uint32_t __reserved;
};
