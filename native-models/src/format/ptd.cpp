#include "ptd.h"

#include <cstring>

#include "../error.h"
#include "flatbuffer.h"

namespace vxd {

uint64_t scalar_type_bytes(int8_t code) {
  switch (code) {
    case 0: case 1: case 16: return 1;
    case 5: case 15: return 2;
    case 3: case 6: return 4;
    case 7: return 8;
    default: return 0;
  }
}

const char* scalar_type_name(int8_t code) {
  switch (code) {
    case 0: return "BYTE";
    case 1: return "CHAR";
    case 3: return "INT";
    case 5: return "HALF";
    case 6: return "FLOAT";
    case 7: return "DOUBLE";
    case 15: return "BFLOAT16";
    case 16: return "QUINT4X2";
    default: return "unsupported";
  }
}

PtdFile::PtdFile(const std::string& path) : file_(std::make_unique<MappedFile>(path)) {
  const uint8_t* d = file_->data();
  uint64_t size = file_->size();
  if (size < 64) fail(VXD_ERR_FORMAT, path + " is too small to be a .ptd (" + std::to_string(size) + " bytes)");
  if (std::memcmp(d + 4, "ET12", 4) == 0) fail(VXD_ERR_FORMAT, path + " is a .pte program; pass the .ptd weights as the data file");
  if (std::memcmp(d + 4, "FT01", 4) != 0 || std::memcmp(d + 8, "FH01", 4) != 0)
    fail(VXD_ERR_FORMAT, path + " is not a FlatTensor .ptd file (bad magic)");
  fb::Reader whole(d, size, path);
  uint32_t header_len = whole.read<uint32_t>(12);
  uint64_t fb_offset = whole.read<uint64_t>(16);
  uint64_t fb_size = whole.read<uint64_t>(24);
  uint64_t seg_base = whole.read<uint64_t>(32);
  uint64_t seg_size = whole.read<uint64_t>(40);
  if (header_len < 40) whole.corrupt("header length " + std::to_string(header_len) + " < 40");
  if (fb_offset > size || fb_size > size - fb_offset) whole.corrupt("flatbuffer extent is outside the file");
  if (seg_base > size || seg_size > size - seg_base)
    fail(VXD_ERR_FORMAT, path + " is truncated: segment data needs " + std::to_string(seg_base + seg_size) +
                             " bytes, the file has " + std::to_string(size));
  fb::Reader r(d, fb_offset + fb_size, path);
  uint64_t root = r.root();
  uint64_t segments = r.ref(root, 1);
  uint64_t named = r.ref(root, 2);
  if (!segments || !named) r.corrupt("missing segments or named_data");
  uint32_t n_seg = r.vec_len(segments, 4);
  uint32_t n_named = r.vec_len(named, 4);
  for (uint32_t i = 0; i < n_named; ++i) {
    uint64_t entry = r.vec_table(named, i);
    PtdTensor t;
    t.name = r.str_field(entry, 0);
    uint32_t seg_index = r.scalar<uint32_t>(entry, 1);
    uint64_t layout = r.ref(entry, 2);
    if (!layout) continue;  // opaque blob, not a tensor
    if (seg_index >= n_seg) r.corrupt("tensor " + t.name + " points at segment " + std::to_string(seg_index) + " of " + std::to_string(n_seg));
    uint64_t seg = r.vec_table(segments, seg_index);
    uint64_t off = r.scalar<uint64_t>(seg, 0);
    uint64_t len = r.scalar<uint64_t>(seg, 1);
    if (off > seg_size || len > seg_size - off) r.corrupt("tensor " + t.name + " data lies outside the segment region");
    t.scalar_type = r.scalar<int8_t>(layout, 0);
    uint64_t esize = scalar_type_bytes(t.scalar_type);
    if (esize == 0) fail(VXD_ERR_FORMAT, path + ": tensor " + t.name + " has unsupported scalar type " + std::to_string(t.scalar_type));
    uint64_t sizes = r.ref(layout, 1);
    uint32_t rank = sizes ? r.vec_len(sizes, 4) : 0;
    if (rank > 8) r.corrupt("tensor " + t.name + " has rank " + std::to_string(rank));
    uint64_t numel = 1;
    for (uint32_t k = 0; k < rank; ++k) {
      int32_t s = r.read<int32_t>(sizes + 4 + 4ull * k);
      if (s < 0) r.corrupt("tensor " + t.name + " has a negative size");
      if (s != 0 && numel > (UINT64_MAX / 8) / static_cast<uint64_t>(s)) r.corrupt("tensor " + t.name + " is impossibly large");
      numel *= static_cast<uint64_t>(s);
      t.sizes.push_back(s);
    }
    // Weights are read as contiguous row-major; any other dim_order would be silently misread.
    if (uint64_t dim_order = r.ref(layout, 2)) {
      if (r.vec_len(dim_order, 1) != rank) r.corrupt("tensor " + t.name + " has a dim_order of the wrong length");
      for (uint32_t k = 0; k < rank; ++k)
        if (r.read<uint8_t>(dim_order + 4 + k) != k) r.corrupt("tensor " + t.name + " has a dim_order other than row-major");
    }
    t.bytes = numel * esize;
    if (t.bytes > len)
      fail(VXD_ERR_FORMAT, path + ": tensor " + t.name + " needs " + std::to_string(t.bytes) + " bytes but its segment has " + std::to_string(len));
    t.data = d + seg_base + off;
    std::string key = t.name;
    tensors_.emplace(std::move(key), std::move(t));
  }
}

const PtdTensor* PtdFile::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace vxd
