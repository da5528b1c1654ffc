# CUDA backend build rules (owned by the CUDA backend), shared by the engine
# (kernels/cuda/CMakeLists.txt, added by native-models/CMakeLists.txt) and by the stand-alone
# check/benchmark build (tools/cuda/CMakeLists.txt). Include at file scope.
# Without nvcc (or with -DVXD_WITH_CUDA=OFF) nothing is built and the engine is CPU-only.
# cudart is linked statically, so a built engine needs only the NVIDIA driver, and where no
# driver or GPU is present it reports the CUDA backend as unavailable, with the reason.
option(VXD_WITH_CUDA "Build the CUDA backend when nvcc is available" ON)
# sm_90a machine code for Hopper (H100/H200), plus compute_80 PTX that the driver compiles for
# any other GPU of compute capability 8.0 or newer.
set(VXD_CUDA_GENCODE "-gencode=arch=compute_90a,code=sm_90a;-gencode=arch=compute_80,code=compute_80"
    CACHE STRING "nvcc -gencode flags of the CUDA backend")

set(VXD_CUDA_ENABLED OFF)
if(VXD_WITH_CUDA)
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
    find_package(CUDAToolkit)
    if(CUDAToolkit_FOUND AND CUDA_cudart_static_LIBRARY)
      set(VXD_CUDA_ENABLED ON)
    endif()
  endif()
  if(NOT VXD_CUDA_ENABLED)
    message(STATUS "Voxtral Dictate: no usable CUDA toolkit; building without the CUDA backend")
  endif()
endif()

set(VXD_CUDA_DIR ${CMAKE_CURRENT_LIST_DIR})
# Static cudart and what it needs, as plain link items (usable from any directory).
set(VXD_CUDA_LINK ${CUDA_cudart_static_LIBRARY} ${CMAKE_DL_LIBS} rt)

# The kernels as one OBJECT library. Consumers take its objects directly (never through an
# archive), so the backend's static-init registration is always linked in.
function(vxd_cuda_object_library)
  if(TARGET vxd_cuda)
    return()
  endif()
  add_library(vxd_cuda OBJECT
    ${VXD_CUDA_DIR}/cuda_backend.cu ${VXD_CUDA_DIR}/matmul.cu ${VXD_CUDA_DIR}/gemv_multi.cu ${VXD_CUDA_DIR}/gemv_mma.cu ${VXD_CUDA_DIR}/attention.cu
    ${VXD_CUDA_DIR}/norm_rope.cu ${VXD_CUDA_DIR}/elementwise.cu ${VXD_CUDA_DIR}/profile.cu)
  target_include_directories(vxd_cuda PRIVATE ${VXD_CUDA_DIR}/../../include ${CUDAToolkit_INCLUDE_DIRS})
  set_target_properties(vxd_cuda PROPERTIES POSITION_INDEPENDENT_CODE ON CUDA_STANDARD 17 CUDA_STANDARD_REQUIRED ON
                                            CUDA_ARCHITECTURES OFF)
  # Only nvcc's own flags: a parent directory's gcc warning options are not valid for nvcc.
  set_property(TARGET vxd_cuda PROPERTY COMPILE_OPTIONS "")
  target_compile_options(vxd_cuda PRIVATE -O3 ${VXD_CUDA_GENCODE})
endfunction()

# Adds the CUDA backend to an executable or shared library.
function(vxd_add_cuda_backend target)
  if(NOT VXD_CUDA_ENABLED)
    return()
  endif()
  vxd_cuda_object_library()
  target_sources(${target} PRIVATE $<TARGET_OBJECTS:vxd_cuda>)
  target_include_directories(${target} PRIVATE ${CUDAToolkit_INCLUDE_DIRS})
  target_link_libraries(${target} PRIVATE ${VXD_CUDA_LINK})
  target_compile_definitions(${target} PRIVATE VXD_WITH_CUDA=1)
endfunction()
