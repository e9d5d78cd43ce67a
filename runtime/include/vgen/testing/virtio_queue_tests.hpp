// Test support for the generated tests of each queue (<name>_queues_test.cpp): GoogleTest and
// the device harness whose checks they call (VirtioDeviceHarness::takes, refuses_loop).
#pragma once

#include <gtest/gtest.h>

#include <vgen/testing/virtio_device_harness.hpp>
