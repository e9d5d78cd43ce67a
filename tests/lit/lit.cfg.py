# lit configuration for vgen's CLI and demo tests. Inputs/ folders hold data, tools/ the
# scripts tests call; neither holds tests.
import os
import lit.formats

config.name = "vgen"
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
config.substitutions.append(("%not", os.path.join(os.path.dirname(config.vgen_filecheck), "not")))
if config.vgen_sanitize:
    config.available_features.add("sanitizer-" + config.vgen_sanitize)
