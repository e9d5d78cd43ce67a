// A lower layer that reaches up: the check must name this line.
#include <vgen/low/low.hpp>
#include <vgen/high/high.hpp>
