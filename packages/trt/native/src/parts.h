// The parts of the addon, each registering its functions on the exports object. The TensorRT part
// exists only when the addon is compiled with TensorRT headers (EDGE_WITH_TENSORRT); the others
// need no NVIDIA header at all.
#pragma once

#include <napi.h>

#include <string>

namespace edge_trt {

void InitLibraries(Napi::Env env, Napi::Object exports);
void InitCudaModule(Napi::Env env, Napi::Object exports);
#if defined(EDGE_WITH_TENSORRT)
void InitTensorRT(Napi::Env env, Napi::Object exports);
#endif

/** Throws a JavaScript Error with `message` (node-addon-api C++ exceptions are on). */
[[noreturn]] void Fail(Napi::Env env, const std::string& message);

}  // namespace edge_trt
