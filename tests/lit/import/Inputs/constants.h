/* Constants for vgen import: a C enum, a #define group with suffixes, a negative value,
 * parentheses, a name that is a C library macro once the prefix is gone, and a macro that
 * is not an integer literal. */
enum colour { COLOUR_RED = 1, COLOUR_GREEN = 2, COLOUR_BLUE = 4 };
typedef enum { SHAPE_SQUARE, SHAPE_CIRCLE = -1 } shape_t;

#define DEMO_OP_READ 0
#define DEMO_OP_WRITE 1u
#define DEMO_OP_LARGE 0x100UL
#define DEMO_OP_ENOENT (2)
#define DEMO_OP_BACK (-3)
#define DEMO_OP_SUM (DEMO_OP_READ + 1)
#define DEMO_OP_CALL(x) (x)

#define DUP_A 1
#define DUP_B 1
