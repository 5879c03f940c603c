// The libraries @edge/trt opens at run time and the C entry points it takes from them.
//
// Why dlopen and own declarations: the addon must build and load on a machine with no TensorRT,
// no CUDA and no GPU (npm install never fails), and the same build must use whatever TensorRT and
// CUDA a Jetson or a server has. So nothing here links against libnvinfer, libnvonnxparser,
// libcudart or libcuda: every function is found with dlsym in a library opened by path (the
// search order lives in src/library-search.ts). The CUDA functions are declared here with plain C
// types (int for the error enums, void* for streams and modules), which is their ABI, so this
// layer needs no CUDA header either. The TensorRT entry points used are the extern "C" factories
// createInferBuilder_INTERNAL, createInferRuntime_INTERNAL and createNvOnnxParser_INTERNAL (what
// the headers' inline createInferBuilder() etc. call) plus the version queries; the objects they
// return are used through the C++ interface headers, which need no symbol from the library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edge_trt {

enum class Lib { kCuda = 0, kCudart = 1, kNvinfer = 2, kNvonnxparser = 3 };
constexpr int kLibCount = 4;

/** Parses the JavaScript name of a library ("cuda", "cudart", "nvinfer", "nvonnxparser"). */
bool ParseLib(const std::string& name, Lib* out);

/** Tries dlopen on each candidate and keeps the first that loads; errors get one line each. */
bool OpenLib(Lib lib, const std::vector<std::string>& candidates, std::string* loaded, std::vector<std::string>* errors);

/** The handle of an opened library, or nullptr. */
void* LibHandle(Lib lib);

/** dlsym in an opened library; nullptr when the library or the symbol is missing. */
void* Symbol(Lib lib, const char* name);

// CUDA runtime (libcudart), by ABI. Error codes are cudaError_t values; 0 is success.
struct Cudart {
  int (*GetDeviceCount)(int*) = nullptr;
  int (*SetDevice)(int) = nullptr;
  int (*RuntimeGetVersion)(int*) = nullptr;
  int (*Malloc)(void**, size_t) = nullptr;
  int (*Free)(void*) = nullptr;
  int (*MallocHost)(void**, size_t) = nullptr;
  int (*FreeHost)(void*) = nullptr;
  // cudaMemcpyAsync(dst, src, bytes, kind, stream): kind 1 host to device, 2 device to host.
  int (*MemcpyAsync)(void*, const void*, size_t, int, void*) = nullptr;
  int (*StreamCreate)(void**) = nullptr;
  int (*StreamSynchronize)(void*) = nullptr;
  int (*StreamDestroy)(void*) = nullptr;
  const char* (*GetErrorString)(int) = nullptr;
};

// CUDA driver (libcuda), by ABI: the versioned symbol names (_v2) are the ones the headers map
// the plain names to since CUDA 3.2. CUresult 0 is success.
struct Driver {
  int (*Init)(unsigned) = nullptr;
  int (*DriverGetVersion)(int*) = nullptr;
  int (*DeviceGetCount)(int*) = nullptr;
  int (*DeviceGet)(int*, int) = nullptr;
  int (*DeviceGetName)(char*, int, int) = nullptr;
  int (*DeviceGetAttribute)(int*, int, int) = nullptr;
  int (*DeviceTotalMem)(size_t*, int) = nullptr;
  int (*DevicePrimaryCtxRetain)(void**, int) = nullptr;
  int (*DevicePrimaryCtxRelease)(int) = nullptr;
  int (*CtxSetCurrent)(void*) = nullptr;
  int (*CtxSynchronize)() = nullptr;
  int (*ModuleLoadData)(void**, const void*) = nullptr;
  int (*ModuleUnload)(void*) = nullptr;
  int (*ModuleGetFunction)(void**, void*, const char*) = nullptr;
  int (*MemAlloc)(unsigned long long*, size_t) = nullptr;
  int (*MemFree)(unsigned long long) = nullptr;
  int (*MemcpyHtoD)(unsigned long long, const void*, size_t) = nullptr;
  int (*MemcpyDtoH)(void*, unsigned long long, size_t) = nullptr;
  int (*LaunchKernel)(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**,
                      void**) = nullptr;
  int (*GetErrorString)(int, const char**) = nullptr;
};

/** The runtime's functions, or an error naming the first one missing. */
const Cudart* GetCudart(std::string* error);
/** The driver's functions (after cuInit), or an error naming what failed. */
const Driver* GetDriver(std::string* error);

/** "cudaErrorNoDevice (100): no CUDA-capable device is detected" style text for a runtime error. */
std::string CudartError(int code);
/** Same for a driver error. */
std::string DriverError(int code);

}  // namespace edge_trt
