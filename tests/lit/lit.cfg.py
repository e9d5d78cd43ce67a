# lit configuration for vgen's CLI and demo tests. Inputs/ folders hold data, tools/ the
# scripts tests call; neither holds tests.
import os
import shutil
import lit.formats

config.name = "vgen"
# Test order: lit starts the slowest tests first, by the times its last run kept in the build
# tree; a fresh build tree has none, and lit then reads .lit_test_times.txt beside this file
# (seconds and test, the tests of 2 s and more), so that the long builds of generated projects
# do not start last and leave one worker running alone at the end.
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".test", ".yaml"]
config.excludes = ["Inputs", "tools"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.vgen_bin_root, "tests", "lit")

bin_dirs = [os.path.join(config.vgen_bin_root, d) for d in ("bin",)]
config.environment["PATH"] = os.pathsep.join(bin_dirs + [config.environment.get("PATH", os.environ.get("PATH", ""))])
config.substitutions.append(("FileCheck", config.vgen_filecheck))
# %with-server SOCKET LOG SERVER... -- CLIENT...: a client run against a socket server that is
# always stopped afterwards (tools/with-server.py).
config.substitutions.append(("%with-server", "python3 " + os.path.join(config.test_source_root, "tools", "with-server.py")))
# %with-xenstored [DAEMON-OPTION...] -- COMMAND...: COMMAND with $XENSTORED_PATH at a fresh
# vgen-xenstored (tools/with-xenstored.sh). %with-c-xenstored COMMAND...: the same with Debian's
# C xenstored, run without a hypervisor by vgen-xenstored-shim (tools/with-c-xenstored.sh;
# REQUIRES: xen-c-daemon).
config.substitutions.append(("%with-xenstored", os.path.join(config.test_source_root, "tools", "with-xenstored.sh")))
config.substitutions.append(("%with-c-xenstored", os.path.join(config.test_source_root, "tools", "with-c-xenstored.sh")))
if config.vgen_c_xenstored and os.access(config.vgen_c_xenstored, os.X_OK):
    config.available_features.add("xen-c-daemon")
config.environment["VGEN_C_XENSTORED"] = config.vgen_c_xenstored
config.environment["VGEN_XENSTORED_SHIM"] = config.vgen_xenstored_shim
config.substitutions.append(("%not", os.path.join(os.path.dirname(config.vgen_filecheck), "not")))
# Debian's chromium (scripts/packages.txt): the trace web page is loaded in it headless
# (tools/chromium-page.sh).
import shutil
if shutil.which("chromium"):
    config.available_features.add("chromium")
config.substitutions.append(("%chromium-page", os.path.join(config.test_source_root, "tools", "chromium-page.sh")))
config.substitutions.append(("%png-colours", "python3 " + os.path.join(config.test_source_root, "tools", "png-colours.py")))
if config.vgen_sanitize:
    config.available_features.add("sanitizer-" + config.vgen_sanitize)
# ThreadSanitizer stops a child that starts a thread when its parent had threads at the fork. vgen
# forks so on purpose (processes runs and conformance checks under --trace, whose recorder's
# writer thread runs in the parent), and the child starts threads of its own: let it run, since
# the races it reports are still reported.
if config.vgen_sanitize == "thread":
    config.environment["TSAN_OPTIONS"] = " ".join(filter(None, [os.environ.get("TSAN_OPTIONS", ""), "die_after_fork=0"]))
# %tshark-vgen LOG [TSHARK-OPTION...]: Debian's tshark with vgen's Wireshark dissector
# (trace/wireshark/vgen.lua) loaded, as root too (tools/tshark-vgen.sh); REQUIRES: tshark.
if shutil.which("tshark"):
    config.available_features.add("tshark")
config.substitutions.append(("%tshark-vgen", os.path.join(config.test_source_root, "tools", "tshark-vgen.sh") + " " +
                             os.path.join(config.test_source_root, "..", "..", "trace", "wireshark", "vgen.lua")))
config.substitutions.append(("%write-vgen-records", "python3 " + os.path.join(config.test_source_root, "tools",
                                                                              "write-vgen-records.py")))
# Debian's qemu-storage-daemon (package qemu-system-x86), a vhost-user back end nobody here wrote.
if shutil.which("qemu-storage-daemon"):
    config.available_features.add("qemu-storage-daemon")
