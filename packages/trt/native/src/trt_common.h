// What the TensorRT part shares: the version branches, the logger, the factories taken with dlsym,
// and the helpers that bind JavaScript functions to native state. Compiled only with TensorRT
// headers (EDGE_WITH_TENSORRT); see dl.h for why the factories come from dlsym.
#pragma once

#if defined(EDGE_WITH_TENSORRT)

#include <NvInfer.h>
#include <NvInferVersion.h>
#include <NvOnnxParser.h>
#include <napi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

// Version branches, each named for the API change it selects. TensorRT 8.2 (JetPack 4.6), 8.6 and
// 10.x are compiled by `pnpm --filter @edge/trt run check:native`.
#define EDGE_TRT_AT_LEAST(major, minor) \
  (NV_TENSORRT_MAJOR > (major) || (NV_TENSORRT_MAJOR == (major) && NV_TENSORRT_MINOR >= (minor)))
// 8.4: memory pools (setMemoryPoolLimit) replace setMaxWorkspaceSize.
#define EDGE_TRT_MEMORY_POOLS EDGE_TRT_AT_LEAST(8, 4)
// 8.5: tensors addressed by name (setInputShape, setTensorAddress, enqueueV3) replace bindings.
#define EDGE_TRT_NAMED_TENSORS EDGE_TRT_AT_LEAST(8, 5)
// 10.0: every network is explicit batch (the kEXPLICIT_BATCH flag is deprecated), networks may be
// strongly typed, builds report progress and can be cancelled (IProgressMonitor), and the
// implicit INT8 calibrators are deprecated in favour of explicit Q/DQ.
#define EDGE_TRT_IMPLICIT_BATCH_FLAG (!EDGE_TRT_AT_LEAST(10, 0))
#define EDGE_TRT_STRONGLY_TYPED EDGE_TRT_AT_LEAST(10, 0)
#define EDGE_TRT_PROGRESS_MONITOR EDGE_TRT_AT_LEAST(10, 0)
#define EDGE_TRT_CALIBRATORS (!EDGE_TRT_AT_LEAST(10, 0))
// 10.12: the precision builder flags (kFP16, kINT8) are deprecated, "superseded by strong typing".
#define EDGE_TRT_PRECISION_FLAGS (!EDGE_TRT_AT_LEAST(10, 12))
// 8.5: uint8 tensors; 9.0: bfloat16; 10.0: int64.
#define EDGE_TRT_UINT8 EDGE_TRT_AT_LEAST(8, 5)
#define EDGE_TRT_BF16 EDGE_TRT_AT_LEAST(9, 0)
#define EDGE_TRT_INT64 EDGE_TRT_AT_LEAST(10, 0)

namespace edge_trt {

/** One line of TensorRT's log. */
struct LogLine {
  int severity;  // nvinfer1::ILogger::Severity: 0 internal error ... 4 verbose
  std::string message;
};

/**
 * Keeps every message TensorRT and its parser log (so that errors can carry them) and forwards
 * each to an optional sink (the build's progress events).
 */
class Logger : public nvinfer1::ILogger {
 public:
  explicit Logger(bool verbose) : verbose_(verbose) {}
  void log(Severity severity, nvinfer1::AsciiChar const* msg) noexcept override;
  void SetSink(std::function<void(const LogLine&)> sink) { sink_ = std::move(sink); }
  std::vector<LogLine> Lines() const;
  /** Errors and warnings, one per line, for error messages. */
  std::string Problems() const;

 private:
  bool verbose_;
  mutable std::mutex mutex_;
  std::vector<LogLine> lines_;
  std::function<void(const LogLine&)> sink_;
};

const char* SeverityName(int severity);

/** Deletes TensorRT objects (public virtual destructors since 8.0). */
template <typename T>
using TrtPtr = std::unique_ptr<T>;

/** createInferBuilder_INTERNAL and friends from the opened libraries, or an error naming the missing one. */
nvinfer1::IBuilder* CreateBuilder(Logger* logger, std::string* error);
nvinfer1::IRuntime* CreateRuntime(Logger* logger, std::string* error);
nvonnxparser::IParser* CreateParser(nvinfer1::INetworkDefinition* network, Logger* logger, std::string* error);

/** Dims from a JavaScript-side vector, and back. */
nvinfer1::Dims ToDims(const std::vector<int64_t>& v);
std::vector<int64_t> FromDims(const nvinfer1::Dims& d);

/** The JavaScript dtype name of a TensorRT type and its size in bytes (0 when unsupported). */
const char* DataTypeName(nvinfer1::DataType t);
size_t DataTypeBytes(nvinfer1::DataType t);

/** A JavaScript array of numbers. */
Napi::Array DimsArray(Napi::Env env, const std::vector<int64_t>& dims);

/** A Uint8Array's bytes, copied (the worker thread must not read JavaScript memory). */
std::vector<uint8_t> CopyBytes(const Napi::Value& v);

/** JavaScript functions sharing one native state, freed when the object holding them is collected. */
template <typename State>
struct Shared {
  std::shared_ptr<State> state;
  static std::shared_ptr<State> From(const Napi::CallbackInfo& info) {
    return static_cast<Shared<State>*>(info.Data())->state;
  }
  static void Reset(const Napi::CallbackInfo& info) { static_cast<Shared<State>*>(info.Data())->state.reset(); }
};

template <typename State>
Shared<State>* Attach(Napi::Object object, std::shared_ptr<State> state) {
  auto* holder = new Shared<State>{std::move(state)};
  object.AddFinalizer([](Napi::Env, Shared<State>* h) { delete h; }, holder);
  return holder;
}

}  // namespace edge_trt

#endif  // EDGE_WITH_TENSORRT
