// Module entry: the ABI number the loader checks, the TensorRT header version (or null), and the
// library and device queries. See dl.h for why everything is reached through dlopen.
#include <napi.h>

#include <string>
#include <vector>

#include "dl.h"
#include "parts.h"

#if defined(EDGE_WITH_TENSORRT)
#include <NvInferVersion.h>
#endif

namespace edge_trt {

// Must equal BINDING_ABI in src/binding.ts.
constexpr int kAbi = 1;

void Fail(Napi::Env env, const std::string& message) { throw Napi::Error::New(env, message); }

namespace {

Napi::Value OpenLibrary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsString() || !info[1].IsArray()) Fail(env, "openLibrary(kind, candidates)");
  Lib lib;
  if (!ParseLib(info[0].As<Napi::String>().Utf8Value(), &lib)) Fail(env, "openLibrary: unknown library kind");
  Napi::Array list = info[1].As<Napi::Array>();
  std::vector<std::string> candidates;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list[i];
    if (!v.IsString()) Fail(env, "openLibrary: candidates must be strings");
    candidates.push_back(v.As<Napi::String>().Utf8Value());
  }
  std::string loaded;
  std::vector<std::string> errors;
  bool ok = OpenLib(lib, candidates, &loaded, &errors);
  Napi::Object out = Napi::Object::New(env);
  out.Set("path", ok ? Napi::Value(Napi::String::New(env, loaded)) : env.Null());
  Napi::Array errs = Napi::Array::New(env, errors.size());
  for (size_t i = 0; i < errors.size(); i++) errs.Set(static_cast<uint32_t>(i), errors[i]);
  out.Set("errors", errs);
  return out;
}

Napi::Value VersionOf(Napi::Env env, Lib lib, const char* symbol) {
  using Get = int (*)();
  auto get = reinterpret_cast<Get>(Symbol(lib, symbol));
  if (get == nullptr) return env.Null();
  return Napi::Number::New(env, get());
}

Napi::Value Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("tensorrt", VersionOf(env, Lib::kNvinfer, "getInferLibVersion"));
  out.Set("onnxParser", VersionOf(env, Lib::kNvonnxparser, "getNvOnnxParserVersion"));
  std::string error;
  const Cudart* rt = GetCudart(&error);
  int v = 0;
  out.Set("cudaRuntime", rt != nullptr && rt->RuntimeGetVersion(&v) == 0 ? Napi::Value(Napi::Number::New(env, v))
                                                                         : env.Null());
  const Driver* drv = GetDriver(&error);
  int d = 0;
  out.Set("cudaDriver", drv != nullptr && drv->DriverGetVersion(&d) == 0 ? Napi::Value(Napi::Number::New(env, d))
                                                                         : env.Null());
  return out;
}

// CUdevice_attribute values, stable since CUDA 2.x.
constexpr int kAttrIntegrated = 18;
constexpr int kAttrCcMajor = 75;
constexpr int kAttrCcMinor = 76;

Napi::Value Devices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string error;
  const Driver* drv = GetDriver(&error);
  if (drv == nullptr) Fail(env, error);
  int count = 0;
  int rc = drv->DeviceGetCount(&count);
  if (rc != 0) Fail(env, "cuDeviceGetCount: " + DriverError(rc));
  Napi::Array out = Napi::Array::New(env, count);
  for (int i = 0; i < count; i++) {
    int dev = 0;
    rc = drv->DeviceGet(&dev, i);
    if (rc != 0) Fail(env, "cuDeviceGet: " + DriverError(rc));
    char name[256] = {0};
    int major = 0, minor = 0, integrated = 0;
    size_t memory = 0;
    if ((rc = drv->DeviceGetName(name, sizeof(name) - 1, dev)) != 0 ||
        (rc = drv->DeviceGetAttribute(&major, kAttrCcMajor, dev)) != 0 ||
        (rc = drv->DeviceGetAttribute(&minor, kAttrCcMinor, dev)) != 0 ||
        (rc = drv->DeviceGetAttribute(&integrated, kAttrIntegrated, dev)) != 0 ||
        (rc = drv->DeviceTotalMem(&memory, dev)) != 0) {
      Fail(env, "querying GPU " + std::to_string(i) + ": " + DriverError(rc));
    }
    Napi::Object d = Napi::Object::New(env);
    d.Set("index", i);
    d.Set("name", std::string(name));
    d.Set("major", major);
    d.Set("minor", minor);
    d.Set("totalMemory", static_cast<double>(memory));
    d.Set("integrated", integrated != 0);
    out.Set(static_cast<uint32_t>(i), d);
  }
  return out;
}

}  // namespace

void InitLibraries(Napi::Env env, Napi::Object exports) {
  exports.Set("abi", kAbi);
#if defined(EDGE_WITH_TENSORRT)
  exports.Set("tensorrtHeaders", std::to_string(NV_TENSORRT_MAJOR) + "." + std::to_string(NV_TENSORRT_MINOR) + "." +
                                     std::to_string(NV_TENSORRT_PATCH));
#else
  exports.Set("tensorrtHeaders", env.Null());
#endif
  exports.Set("openLibrary", Napi::Function::New(env, OpenLibrary, "openLibrary"));
  exports.Set("versions", Napi::Function::New(env, Versions, "versions"));
  exports.Set("devices", Napi::Function::New(env, Devices, "devices"));
}

}  // namespace edge_trt

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  edge_trt::InitLibraries(env, exports);
  edge_trt::InitCudaModule(env, exports);
#if defined(EDGE_WITH_TENSORRT)
  edge_trt::InitTensorRT(env, exports);
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(edge_trt, Init)
