#include "vgen/gen/render/formatter.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "vgen/error.hpp"

namespace vgen::gen {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path != nullptr ? path : "/usr/bin:/bin");
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    const fs::path candidate = fs::path(folder.empty() ? "." : folder) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

// A temporary file holding `text`, removed on destruction.
class TemporaryFile {
 public:
  TemporaryFile(const std::string& text, const std::string& extension) {
    std::string pattern = (fs::temp_directory_path() / ("vgen-format-XXXXXX" + extension)).string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    const int fd = ::mkstemps(buffer.data(), static_cast<int>(extension.size()));
    if (fd < 0) throw vgen::Error(std::string("cannot create a temporary file: ") + std::strerror(errno));
    ::close(fd);
    path_ = buffer.data();
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TemporaryFile() {
    std::error_code ignored;
    fs::remove(path_, ignored);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs clang-format on `input` (stdin) into `output` (stdout), formatting as the file `name`
// (so the main header is recognised); returns its exit status.
int run_formatter(const std::string& clang_format, const std::string& style, const std::string& name,
                  const std::string& input, const std::string& output) {
  const pid_t child = ::fork();
  if (child < 0) throw vgen::Error(std::string("cannot start clang-format: ") + std::strerror(errno));
  if (child == 0) {
    const int in = ::open(input.c_str(), O_RDONLY);
    const int out = ::open(output.c_str(), O_WRONLY | O_TRUNC);
    if (in < 0 || out < 0 || ::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0) ::_exit(126);
    const std::string style_option = "--style=file:" + style;
    const std::string name_option = "--assume-filename=" + name;
    ::execl(clang_format.c_str(), clang_format.c_str(), style_option.c_str(), name_option.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

}  // namespace

std::optional<std::string> find_clang_format() {
  if (auto found = on_path("clang-format-14")) return found;
  return on_path("clang-format");
}

std::string format_source(const std::string& clang_format, const std::string& source, const std::string& name,
                          const fs::path& style_file) {
  const std::string extension = fs::path(name).extension().string();
  const TemporaryFile input(source, extension);
  const TemporaryFile output("", extension);
  const int status = run_formatter(clang_format, style_file.string(), name, input.path(), output.path());
  if (status != 0) {
    throw vgen::Error(clang_format + " failed on " + name + " (exit status " + std::to_string(status) + ")");
  }
  std::ifstream in(output.path(), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace vgen::gen
