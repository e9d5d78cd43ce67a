// devices/virtio-gpio's generated structs against <linux/virtio_gpio.h>, for what `from:`
// cannot compare: the config space (not a type of the spec), the status-first answers
// (virtio_gpio_response_get_names ends in a flexible array), the constants.
#include "virtio_gpio_messages.hpp"

#include <linux/virtio_gpio.h>
#include <linux/virtio_ids.h>

#include "layout.hpp"

VGEN_SAME_OFFSET(virtio_gpio::VirtioGpioConfig, virtio_gpio_config, ngpio);
VGEN_SAME_OFFSET(virtio_gpio::VirtioGpioConfig, virtio_gpio_config, padding);
VGEN_SAME_OFFSET(virtio_gpio::VirtioGpioConfig, virtio_gpio_config, gpio_names_size);
static_assert(virtio_gpio::kConfigBytes == sizeof(virtio_gpio_config));

// The requestq's reply (gpio_status) is the status every answer starts with; the data the
// chain places after it starts where the header's value field does.
static_assert(sizeof(virtio_gpio::GpioStatus) == offsetof(virtio_gpio_response, value));
static_assert(sizeof(virtio_gpio::GpioStatus) == offsetof(virtio_gpio_response_get_names, value));
static_assert(sizeof(virtio_gpio::GpioStatus) + 1 == sizeof(virtio_gpio_response));

static_assert(virtio_gpio::kDeviceId == VIRTIO_ID_GPIO);
static_assert(static_cast<unsigned>(virtio_gpio::GpioMessageType::GET_LINE_NAMES) == VIRTIO_GPIO_MSG_GET_NAMES);
static_assert(static_cast<unsigned>(virtio_gpio::GpioMessageType::GET_DIRECTION) == VIRTIO_GPIO_MSG_GET_DIRECTION);
static_assert(static_cast<unsigned>(virtio_gpio::GpioMessageType::SET_DIRECTION) == VIRTIO_GPIO_MSG_SET_DIRECTION);
static_assert(static_cast<unsigned>(virtio_gpio::GpioMessageType::GET_VALUE) == VIRTIO_GPIO_MSG_GET_VALUE);
static_assert(static_cast<unsigned>(virtio_gpio::GpioMessageType::SET_VALUE) == VIRTIO_GPIO_MSG_SET_VALUE);
static_assert(static_cast<unsigned>(virtio_gpio::GpioMessageType::SET_IRQ_TYPE) == VIRTIO_GPIO_MSG_IRQ_TYPE);
static_assert(static_cast<unsigned>(virtio_gpio::GpioStatusCode::OK) == VIRTIO_GPIO_STATUS_OK);
static_assert(static_cast<unsigned>(virtio_gpio::GpioStatusCode::ERR) == VIRTIO_GPIO_STATUS_ERR);
static_assert(static_cast<unsigned>(virtio_gpio::GpioDirection::NONE) == VIRTIO_GPIO_DIRECTION_NONE);
static_assert(static_cast<unsigned>(virtio_gpio::GpioDirection::OUT) == VIRTIO_GPIO_DIRECTION_OUT);
static_assert(static_cast<unsigned>(virtio_gpio::GpioDirection::IN) == VIRTIO_GPIO_DIRECTION_IN);
