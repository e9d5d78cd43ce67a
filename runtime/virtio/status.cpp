#include <vgen/virtio/status.hpp>

#include <cstdio>

namespace vgen::virtio {

std::string status_text(std::uint8_t status) {
  if (status == 0) return "0";
  struct Name {
    std::uint8_t bit;
    const char* text;
  };
  static constexpr Name kNames[] = {{kStatusAcknowledge, "ACKNOWLEDGE"},
                                    {kStatusDriver, "DRIVER"},
                                    {kStatusFeaturesOk, "FEATURES_OK"},
                                    {kStatusDriverOk, "DRIVER_OK"},
                                    {kStatusDeviceNeedsReset, "DEVICE_NEEDS_RESET"},
                                    {kStatusFailed, "FAILED"}};
  std::string text;
  for (const Name& name : kNames) {
    if ((status & name.bit) == 0) continue;
    if (!text.empty()) text += '|';
    text += name.text;
  }
  const unsigned undefined = status & ~kStatusDefinedBits;
  if (undefined != 0) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "0x%02x", undefined);
    if (!text.empty()) text += '|';
    text += buffer;
  }
  return text;
}

}  // namespace vgen::virtio
