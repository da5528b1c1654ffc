// The batched matmul's register tile (DotKernels::f32_tile), written once over a vector type:
// each ISA file includes this inside its anonymous namespace with a traits struct of its own
// intrinsics (V, kWidth, zero, load, fma, sum), so every instantiation is compiled for that ISA.
// Not a standalone header: it expects <cstdint> and the traits' intrinsics to be in scope.

// MR x NR accumulators: per kWidth columns, MR + NR loads feed MR·NR FMAs (a one-pair dot loads
// twice per FMA). Each pair's sum stays in its own accumulator, in the same order whatever the
// tile's shape.
template <class T, int MR, int NR>
void tile(const float* x, int64_t ldx, const float* w, int64_t ldw, int64_t k, float* out, int64_t ldo) {
  typename T::V acc[MR][NR];
  for (int m = 0; m < MR; ++m)
    for (int j = 0; j < NR; ++j) acc[m][j] = T::zero();
  int64_t i = 0;
  for (; i + T::kWidth <= k; i += T::kWidth) {
    typename T::V wv[NR];
    // Unrolled so that the accumulators live in registers (otherwise gcc keeps them on the stack).
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) wv[j] = T::load(w + j * ldw + i);
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
      const typename T::V xv = T::load(x + m * ldx + i);
#pragma GCC unroll 4
      for (int j = 0; j < NR; ++j) acc[m][j] = T::fma(xv, wv[j], acc[m][j]);
    }
  }
  for (int m = 0; m < MR; ++m)
    for (int j = 0; j < NR; ++j) {
      float s = T::sum(acc[m][j]);
      for (int64_t t = i; t < k; ++t) s += x[m * ldx + t] * w[j * ldw + t];
      out[m * ldo + j] = s;
    }
}

// f32_tile for up to 4 rows by up to T::kTileCols (2 or 4) columns.
template <class T>
void f32_tile(const float* x, int64_t ldx, int mr, const float* w, int64_t ldw, int nr, int64_t k, float* out, int64_t ldo) {
  using Fn = void (*)(const float*, int64_t, const float*, int64_t, int64_t, float*, int64_t);
  static constexpr Fn kTiles[4][4] = {{tile<T, 1, 1>, tile<T, 1, 2>, tile<T, 1, 3>, tile<T, 1, 4>},
                                      {tile<T, 2, 1>, tile<T, 2, 2>, tile<T, 2, 3>, tile<T, 2, 4>},
                                      {tile<T, 3, 1>, tile<T, 3, 2>, tile<T, 3, 3>, tile<T, 3, 4>},
                                      {tile<T, 4, 1>, tile<T, 4, 2>, tile<T, 4, 3>, tile<T, 4, 4>}};
  kTiles[mr - 1][nr - 1](x, ldx, w, ldw, k, out, ldo);
}
