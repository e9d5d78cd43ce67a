/* A header that needs -I (widths.h) and whose layout depends on -D WITH_TAIL. */
#include <widths.h>

struct framed {
  __u8 kind;
  net_word length;
#ifdef WITH_TAIL
  __le64 tail;
#endif
};
