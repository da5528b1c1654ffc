// The tensor-core GEMV's tiled q4 layout (v23), index math only: shared by the repack kernel, the
// GEMV that reads it (gemv_mma.cu) and the CPU self test, so they cannot drift apart.
//
// The file's layout is row-major: word (4 bytes, 8 codes) w of 16-byte chunk c of row r is
// uint32 r k/8 + 4 c + w. The GEMV's lane (g, t4) feeds its MMAs word t4 of rows g and g + 8 of a
// 16-row tile, chunk by chunk. Tiled, in 16-byte slots: tile t, quad q (chunks 4q .. 4q + 3),
// half i (row g or g + 8) and lane give slot ((t Q + q) 2 + i) 32 + lane, holding that lane's word
// of the 4 chunks, so one 16-byte load replaces four 4-byte loads that each used half a sector.
// A tiled weight has no other copy: the paths that read rows (fp32 activations, the tiled GEMM,
// the embedding) find a file word through q4_tiled_word. A row's quad is still 64 contiguous
// bytes (4 consecutive slots), so they stay coalesced.
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#define VXD_HD __host__ __device__
#else
#define VXD_HD
#endif

namespace vxd::cuda {

constexpr int kQ4TileRows = 16;   // rows of a tile (the MMA's m)
constexpr int kQ4QuadCols = 128;  // columns of a quad: 4 chunks of 32
constexpr int kQ4QuadSlots = 64;  // slots from one quad of a tile to the next (2 halves x 32 lanes)

// Slot of lane's words for half i of tile t, quad q (quads = k / 128).
VXD_HD inline int64_t q4_tile_slot(int64_t t, int64_t q, int i, int lane, int64_t quads) { return ((t * quads + q) * 2 + i) * 32 + lane; }

// The file-layout uint32 index that word j (0..3) of slot o holds, for rows of k columns.
VXD_HD inline int64_t q4_tile_source(int64_t o, int j, int64_t k) {
  const int64_t quads = k / kQ4QuadCols, tq = o >> 6;
  const int lane = static_cast<int>(o & 31), i = static_cast<int>((o >> 5) & 1);
  const int64_t row = kQ4TileRows * (tq / quads) + (lane >> 2) + 8 * i;
  return row * (k / 8) + 4 * (4 * (tq % quads) + j) + (lane & 3);
}

// The tiled-layout uint32 index of the file's word `word` (0 .. k / 8 - 1) of row `row`: the
// inverse of q4_tile_source.
VXD_HD inline int64_t q4_tiled_word(int64_t row, int64_t word, int64_t k) {
  const int64_t chunk = word >> 2;
  const int lane = static_cast<int>(((row & 7) << 2) | (word & 3));
  return q4_tile_slot(row / kQ4TileRows, chunk >> 2, static_cast<int>((row >> 3) & 1), lane, k / kQ4QuadCols) * 4 + (chunk & 3);
}

}  // namespace vxd::cuda
