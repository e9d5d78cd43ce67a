// A file name in a fresh temporary folder, removed with the folder at the end of the test.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace vgen::trace::testing {

class TempFile {
 public:
  explicit TempFile(const std::string& name = "trace.pcapng") {
    char pattern[] = "/tmp/vgen-trace-test-XXXXXX";
    folder_ = mkdtemp(pattern);
    path_ = folder_ + "/" + name;
  }
  ~TempFile() { std::filesystem::remove_all(folder_); }
  const std::string& path() const { return path_; }
  /// The file's bytes.
  std::vector<std::byte> bytes() const {
    std::ifstream in(path_, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(chars.size());
    for (std::size_t i = 0; i < chars.size(); ++i) out[i] = static_cast<std::byte>(chars[i]);
    return out;
  }
  /// Replaces the file's contents (with a new file: truncating one in place can make the
  /// file system write it out at once, which many rewrites in a row turn into seconds).
  void write(const std::vector<std::byte>& bytes) const {
    std::filesystem::remove(path_);
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }

 private:
  std::string folder_;
  std::string path_;
};

}  // namespace vgen::trace::testing
