#pragma once
#include <vgen/low/low.hpp>
