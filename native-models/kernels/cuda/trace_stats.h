// What the last printed step trace (VXD_CUDA_TRACE=1, step_trace.cuh) held, for the op check:
// plain C++, so host-only tools can read it.
#pragma once

#include <atomic>

namespace vxd::cuda {

inline std::atomic<unsigned> g_trace_launches{0};    // traced launches of the last printed step
inline std::atomic<unsigned> g_trace_disordered{0};  // of them: done before past, or past before the previous done

}  // namespace vxd::cuda
