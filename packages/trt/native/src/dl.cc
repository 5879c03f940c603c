#include "dl.h"

#include <dlfcn.h>

#include <mutex>

// The prebuilt addons are linked on Debian 12 (glibc 2.36) and must load on the older glibc of the
// devices (Ubuntu 20.04 under JetPack 5: 2.31): the prebuild builder refuses a binary that needs a
// symbol version newer than GLIBC_2.28. glibc 2.34 moved dlopen and its friends from libdl into
// libc under a new version; the first version of each architecture is still exported and is the
// same function, so bind to it (on older systems it is in libdl.so.2, which Node itself links).
// compat.cc has the rest.
#if defined(__GLIBC__) && defined(__x86_64__)
__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dlerror,dlerror@GLIBC_2.2.5");
__asm__(".symver dlclose,dlclose@GLIBC_2.2.5");
#elif defined(__GLIBC__) && defined(__aarch64__)
__asm__(".symver dlopen,dlopen@GLIBC_2.17");
__asm__(".symver dlsym,dlsym@GLIBC_2.17");
__asm__(".symver dlerror,dlerror@GLIBC_2.17");
__asm__(".symver dlclose,dlclose@GLIBC_2.17");
#endif

namespace edge_trt {
namespace {

void* g_handles[kLibCount] = {nullptr, nullptr, nullptr, nullptr};
std::mutex g_mutex;

template <typename F>
bool Bind(Lib lib, const char* name, F* slot, std::string* missing) {
  *slot = reinterpret_cast<F>(Symbol(lib, name));
  if (*slot == nullptr && missing->empty()) *missing = name;
  return *slot != nullptr;
}

// The first of several names that exists (a _v2 symbol appears only from some driver onwards).
template <typename F>
void BindEither(Lib lib, const char* first, const char* second, F* slot, std::string* missing) {
  *slot = reinterpret_cast<F>(Symbol(lib, first));
  if (*slot == nullptr) Bind(lib, second, slot, missing);
}

}  // namespace

bool ParseLib(const std::string& name, Lib* out) {
  if (name == "cuda") *out = Lib::kCuda;
  else if (name == "cudart") *out = Lib::kCudart;
  else if (name == "nvinfer") *out = Lib::kNvinfer;
  else if (name == "nvonnxparser") *out = Lib::kNvonnxparser;
  else return false;
  return true;
}

bool OpenLib(Lib lib, const std::vector<std::string>& candidates, std::string* loaded,
             std::vector<std::string>* errors) {
  std::lock_guard<std::mutex> lock(g_mutex);
  int i = static_cast<int>(lib);
  for (const std::string& path : candidates) {
    // RTLD_GLOBAL: the ONNX parser resolves libnvinfer's symbols through the global scope.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (handle != nullptr) {
      // A second open of another file keeps the first: the process can hold only one TensorRT.
      if (g_handles[i] == nullptr) g_handles[i] = handle;
      else if (g_handles[i] != handle) dlclose(handle);
      *loaded = path;
      return true;
    }
    const char* why = dlerror();
    // dlerror() names the file itself.
    errors->push_back(why != nullptr ? std::string(why) : path + ": dlopen failed");
  }
  return false;
}

void* LibHandle(Lib lib) {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_handles[static_cast<int>(lib)];
}

void* Symbol(Lib lib, const char* name) {
  void* handle = LibHandle(lib);
  return handle == nullptr ? nullptr : dlsym(handle, name);
}

const Cudart* GetCudart(std::string* error) {
  static Cudart table;
  static bool ready = false;
  static std::string failure;
  static std::mutex once;
  std::lock_guard<std::mutex> lock(once);
  if (!ready) {
    if (LibHandle(Lib::kCudart) == nullptr) {
      *error = "libcudart is not loaded";
      return nullptr;
    }
    std::string missing;
    Lib l = Lib::kCudart;
    Bind(l, "cudaGetDeviceCount", &table.GetDeviceCount, &missing);
    Bind(l, "cudaSetDevice", &table.SetDevice, &missing);
    Bind(l, "cudaRuntimeGetVersion", &table.RuntimeGetVersion, &missing);
    Bind(l, "cudaMalloc", &table.Malloc, &missing);
    Bind(l, "cudaFree", &table.Free, &missing);
    Bind(l, "cudaMallocHost", &table.MallocHost, &missing);
    Bind(l, "cudaFreeHost", &table.FreeHost, &missing);
    Bind(l, "cudaMemcpyAsync", &table.MemcpyAsync, &missing);
    Bind(l, "cudaStreamCreate", &table.StreamCreate, &missing);
    Bind(l, "cudaStreamSynchronize", &table.StreamSynchronize, &missing);
    Bind(l, "cudaStreamDestroy", &table.StreamDestroy, &missing);
    Bind(l, "cudaGetErrorString", &table.GetErrorString, &missing);
    failure = missing.empty() ? "" : "libcudart has no " + missing;
    ready = true;
  }
  if (!failure.empty()) {
    *error = failure;
    return nullptr;
  }
  return &table;
}

const Driver* GetDriver(std::string* error) {
  static Driver table;
  static bool ready = false;
  static std::string failure;
  static std::mutex once;
  std::lock_guard<std::mutex> lock(once);
  if (!ready) {
    if (LibHandle(Lib::kCuda) == nullptr) {
      *error = "libcuda is not loaded";
      return nullptr;
    }
    std::string missing;
    Lib l = Lib::kCuda;
    Bind(l, "cuInit", &table.Init, &missing);
    Bind(l, "cuDriverGetVersion", &table.DriverGetVersion, &missing);
    Bind(l, "cuDeviceGetCount", &table.DeviceGetCount, &missing);
    Bind(l, "cuDeviceGet", &table.DeviceGet, &missing);
    Bind(l, "cuDeviceGetName", &table.DeviceGetName, &missing);
    Bind(l, "cuDeviceGetAttribute", &table.DeviceGetAttribute, &missing);
    Bind(l, "cuDeviceTotalMem_v2", &table.DeviceTotalMem, &missing);
    Bind(l, "cuDevicePrimaryCtxRetain", &table.DevicePrimaryCtxRetain, &missing);
    BindEither(l, "cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease", &table.DevicePrimaryCtxRelease,
               &missing);
    Bind(l, "cuCtxSetCurrent", &table.CtxSetCurrent, &missing);
    Bind(l, "cuCtxSynchronize", &table.CtxSynchronize, &missing);
    Bind(l, "cuModuleLoadData", &table.ModuleLoadData, &missing);
    Bind(l, "cuModuleUnload", &table.ModuleUnload, &missing);
    Bind(l, "cuModuleGetFunction", &table.ModuleGetFunction, &missing);
    Bind(l, "cuMemAlloc_v2", &table.MemAlloc, &missing);
    Bind(l, "cuMemFree_v2", &table.MemFree, &missing);
    Bind(l, "cuMemcpyHtoD_v2", &table.MemcpyHtoD, &missing);
    Bind(l, "cuMemcpyDtoH_v2", &table.MemcpyDtoH, &missing);
    Bind(l, "cuLaunchKernel", &table.LaunchKernel, &missing);
    Bind(l, "cuGetErrorString", &table.GetErrorString, &missing);
    if (!missing.empty()) {
      failure = "libcuda has no " + missing;
    } else {
      int rc = table.Init(0);
      if (rc != 0) failure = "cuInit failed: " + DriverError(rc);
    }
    ready = true;
  }
  if (!failure.empty()) {
    *error = failure;
    return nullptr;
  }
  return &table;
}

std::string CudartError(int code) {
  std::string error;
  const Cudart* rt = GetCudart(&error);
  const char* text = rt != nullptr ? rt->GetErrorString(code) : nullptr;
  return "CUDA runtime error " + std::to_string(code) + (text != nullptr ? std::string(": ") + text : "");
}

std::string DriverError(int code) {
  // Not through GetDriver: this is called while it is still being set up.
  using GetString = int (*)(int, const char**);
  auto get = reinterpret_cast<GetString>(Symbol(Lib::kCuda, "cuGetErrorString"));
  const char* text = nullptr;
  if (get != nullptr) get(code, &text);
  return "CUDA driver error " + std::to_string(code) + (text != nullptr ? std::string(": ") + text : "");
}

}  // namespace edge_trt
