#include <vgen/high/high.hpp>
