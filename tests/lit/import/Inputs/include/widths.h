/* Found through -I by options.test. */
#include <linux/types.h>
typedef __be32 net_word;
