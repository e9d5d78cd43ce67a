// The harness device and the runs of the driver under test.
#include "harness_device.hpp"

#include <sys/wait.h>

#include <thread>

#include <vgen/conform/process.hpp>
#include <vgen/conform/trace.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/in_process.hpp>
#include <vgen/virtio/mmio_register_file.hpp>
#include <vgen/virtio/mmio_server.hpp>
#include <vgen/virtio/mmio_window.hpp>

#include "guest_ram.hpp"
#include "mmio_serving.hpp"
#include "recording_bus.hpp"
#include "recording_transport.hpp"

namespace vgen::conform::virtio_checks {
namespace {

// The device side of one run: the scenario's model, its core, the observer and behaviour.
struct HarnessDevice {
  HarnessDevice(const VirtioTarget& target, Scenario scenario, GuestRam& ram)
      : model(scenario_model(scenario, target.make_device())),
        core(ram.memory, *model),
        observer(ram.memory, model->queue_max_sizes()),
        behaviour(scenario, observer, core) {
    core.set_trace(check_trace());
  }

  DriverRun result(Scenario scenario) {
    observer.finish();
    DriverRun run;
    run.scenario = scenario;
    run.log = observer.log();
    run.findings = observer.findings();
    run.chains = observer.chains_seen();
    run.offered = model->offered_features();
    if (scenario == Scenario::NoVersion1) run.offered &= ~virtio::kFeatureVersion1Mask;
    run.accepted = observer.accepted();
    run.features_ok_written = observer.features_ok_written();
    run.max_sizes = model->queue_max_sizes();
    run.rules = model->feature_rules();
    run.flips = behaviour.flips();
    run.acted = behaviour.acted();
    return run;
  }

  std::unique_ptr<virtio::DeviceModel> model;
  virtio::DeviceCore core;
  DriverObserver observer;
  DeviceBehaviour behaviour;
};

std::string ended(bool completed) { return completed ? "completed" : "gave up (returned false)"; }

DriverRun run_in_process(const VirtioTarget& target, Scenario scenario) {
  GuestRam ram;
  HarnessDevice device(target, scenario, ram);
  virtio::InProcessTransport inner(device.core);
  device.behaviour.set_line(&inner.interrupt());
  RecordingTransport transport(inner, device.observer, device.behaviour);
  bool completed = false;
  std::string outcome;
  try {
    completed = target.run_driver(transport, ram.memory, ram.allocator);
    outcome = ended(completed);
  } catch (const std::exception& error) {
    outcome = std::string("stopped with an error: ") + error.what();
  }
  DriverRun run = device.result(scenario);
  run.completed = completed;
  run.outcome = outcome;
  return run;
}

DriverRun run_over_mmio(const VirtioTarget& target, Scenario scenario, std::chrono::milliseconds timeout) {
  GuestRam ram;
  shm::GuestMemory window_memory;
  constexpr shm::GuestAddress kWindowBase = 0x0a000000;
  window_memory.add(kWindowBase, std::make_shared<shm::Region>(shm::Region::create("conform-mmio", kWindowBytes)));
  virtio::MmioWindow& window =
      virtio::MmioWindow::format(window_memory.translate(kWindowBase, kWindowBytes), kWindowBytes);
  HarnessDevice device(target, scenario, ram);
  virtio::MmioRegisterFile registers(device.core);
  RecordingBus bus(registers, device.observer, device.behaviour);
  virtio::MmioDeviceServer server(window, bus);
  device.core.set_interrupt_notifier(&server.interrupt_line());
  device.behaviour.set_line(&server.interrupt_line());
  // The driver's process is forked before the server thread starts, so it inherits no thread.
  ChildProcess driver = ChildProcess::fork([&] { return run_mmio_driver(target, ram.memory, window); });
  std::thread serving([&] { server.run(std::chrono::milliseconds(20)); });
  const std::optional<int> status = driver.wait(timeout);
  if (!status) driver.kill();
  virtio::MmioDeviceServer::request_stop(window);
  serving.join();
  DriverRun run = device.result(scenario);
  run.register_window = true;
  run.completed = status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
  if (!status)
    run.outcome = "hung: killed after " + std::to_string(timeout.count()) + " ms";
  else if (WIFSIGNALED(*status))
    run.outcome = describe_exit(*status);
  else
    run.outcome = run.completed ? "completed" : "gave up (" + describe_exit(*status) + ")";
  return run;
}

}  // namespace

DriverRunner in_process_driver(const VirtioTarget& target) {
  return [&target](Scenario scenario) { return run_in_process(target, scenario); };
}

DriverRunner mmio_driver(const VirtioTarget& target, std::chrono::milliseconds timeout) {
  return [&target, timeout](Scenario scenario) { return run_over_mmio(target, scenario, timeout); };
}

}  // namespace vgen::conform::virtio_checks
