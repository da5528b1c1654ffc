// Bounds-checked FlatBuffers reader: every offset is checked against the buffer before use, so a
// corrupt file gives a vxd::Error (kFormat) naming `what`, never an out-of-bounds read.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "../error.h"

namespace vxd::fb {

class Reader {
 public:
  Reader(const uint8_t* data, uint64_t size, std::string what) : d_(data), n_(size), what_(std::move(what)) {}

  uint64_t size() const { return n_; }
  [[noreturn]] void corrupt(const std::string& why) const { fail(VXD_ERR_FORMAT, what_ + " is corrupt: " + why); }

  void need(uint64_t pos, uint64_t len) const {
    if (pos > n_ || len > n_ - pos) corrupt("offset " + std::to_string(pos) + "+" + std::to_string(len) + " is outside the file");
  }
  template <typename T>
  T read(uint64_t pos) const {
    need(pos, sizeof(T));
    T v;
    std::memcpy(&v, d_ + pos, sizeof(T));  // little-endian hosts only (x86-64, arm64)
    return v;
  }
  const uint8_t* bytes(uint64_t pos, uint64_t len) const {
    need(pos, len);
    return d_ + pos;
  }
  // Follows a uoffset stored at pos.
  uint64_t deref(uint64_t pos) const {
    uint32_t off = read<uint32_t>(pos);
    if (off == 0) corrupt("null offset");
    uint64_t target = pos + off;
    need(target, 4);
    return target;
  }
  uint64_t root() const { return deref(0); }

  // Position of field `id` of the table at `table`, or 0 when absent.
  uint64_t field(uint64_t table, int id) const {
    int32_t soff = read<int32_t>(table);
    int64_t vt = static_cast<int64_t>(table) - soff;
    if (vt < 0) corrupt("vtable before the file start");
    uint16_t vt_size = read<uint16_t>(static_cast<uint64_t>(vt));
    uint64_t slot = 4 + 2 * static_cast<uint64_t>(id);
    if (slot + 2 > vt_size) return 0;
    uint16_t off = read<uint16_t>(static_cast<uint64_t>(vt) + slot);
    if (off == 0) return 0;
    return table + off;
  }
  template <typename T>
  T scalar(uint64_t table, int id, T dflt = T{}) const {
    uint64_t p = field(table, id);
    return p ? read<T>(p) : dflt;
  }
  // Sub-table / vector / string position, or 0 when absent.
  uint64_t ref(uint64_t table, int id) const {
    uint64_t p = field(table, id);
    return p ? deref(p) : 0;
  }
  // Vector at pos: element count and first-element position; checked for `elem` bytes each.
  uint32_t vec_len(uint64_t vec, uint64_t elem) const {
    uint32_t n = read<uint32_t>(vec);
    need(vec + 4, static_cast<uint64_t>(n) * elem);
    return n;
  }
  uint64_t vec_table(uint64_t vec, uint32_t i) const { return deref(vec + 4 + 4ull * i); }
  std::string str(uint64_t pos) const {
    uint32_t len = read<uint32_t>(pos);
    return std::string(reinterpret_cast<const char*>(bytes(pos + 4, len)), len);
  }
  std::string str_field(uint64_t table, int id) const {
    uint64_t p = ref(table, id);
    return p ? str(p) : std::string();
  }

 private:
  const uint8_t* d_;
  uint64_t n_;
  std::string what_;
};

}  // namespace vxd::fb
