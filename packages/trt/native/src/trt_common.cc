#if defined(EDGE_WITH_TENSORRT)

#include "trt_common.h"

#include "dl.h"

namespace edge_trt {

const char* SeverityName(int severity) {
  switch (severity) {
    case 0:
    case 1:
      return "error";
    case 2:
      return "warning";
    case 3:
      return "info";
    default:
      return "verbose";
  }
}

void Logger::log(Severity severity, nvinfer1::AsciiChar const* msg) noexcept {
  int level = static_cast<int>(severity);
  if (level >= static_cast<int>(Severity::kVERBOSE) && !verbose_) return;
  LogLine line{level, msg != nullptr ? msg : ""};
  std::function<void(const LogLine&)> sink;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.push_back(line);
    sink = sink_;
  }
  if (sink) sink(line);
}

std::vector<LogLine> Logger::Lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lines_;
}

std::string Logger::Problems() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const LogLine& l : lines_) {
    if (l.severity > static_cast<int>(Severity::kWARNING)) continue;
    if (!out.empty()) out += "\n";
    out += std::string("[") + SeverityName(l.severity) + "] " + l.message;
  }
  return out;
}

namespace {

using Factory = void* (*)(void*, int32_t);
using ParserFactory = void* (*)(void*, void*, int);

}  // namespace

nvinfer1::IBuilder* CreateBuilder(Logger* logger, std::string* error) {
  auto create = reinterpret_cast<Factory>(Symbol(Lib::kNvinfer, "createInferBuilder_INTERNAL"));
  if (create == nullptr) {
    *error = "libnvinfer is not loaded or has no createInferBuilder_INTERNAL";
    return nullptr;
  }
  auto* builder = static_cast<nvinfer1::IBuilder*>(create(logger, NV_TENSORRT_VERSION));
  if (builder == nullptr) *error = "createInferBuilder failed: " + logger->Problems();
  return builder;
}

nvinfer1::IRuntime* CreateRuntime(Logger* logger, std::string* error) {
  auto create = reinterpret_cast<Factory>(Symbol(Lib::kNvinfer, "createInferRuntime_INTERNAL"));
  if (create == nullptr) {
    *error = "libnvinfer is not loaded or has no createInferRuntime_INTERNAL";
    return nullptr;
  }
  auto* runtime = static_cast<nvinfer1::IRuntime*>(create(logger, NV_TENSORRT_VERSION));
  if (runtime == nullptr) *error = "createInferRuntime failed: " + logger->Problems();
  return runtime;
}

nvonnxparser::IParser* CreateParser(nvinfer1::INetworkDefinition* network, Logger* logger, std::string* error) {
  auto create = reinterpret_cast<ParserFactory>(Symbol(Lib::kNvonnxparser, "createNvOnnxParser_INTERNAL"));
  if (create == nullptr) {
    *error = "libnvonnxparser is not loaded or has no createNvOnnxParser_INTERNAL";
    return nullptr;
  }
  auto* parser = static_cast<nvonnxparser::IParser*>(create(network, logger, NV_ONNX_PARSER_VERSION));
  if (parser == nullptr) *error = "createNvOnnxParser failed: " + logger->Problems();
  return parser;
}

nvinfer1::Dims ToDims(const std::vector<int64_t>& v) {
  nvinfer1::Dims d{};
  d.nbDims = static_cast<int32_t>(v.size());
  using Elem = std::remove_reference_t<decltype(d.d[0])>;
  for (size_t i = 0; i < v.size() && i < static_cast<size_t>(nvinfer1::Dims::MAX_DIMS); i++) {
    d.d[i] = static_cast<Elem>(v[i]);
  }
  return d;
}

std::vector<int64_t> FromDims(const nvinfer1::Dims& d) {
  std::vector<int64_t> v;
  for (int32_t i = 0; i < d.nbDims; i++) v.push_back(static_cast<int64_t>(d.d[i]));
  return v;
}

const char* DataTypeName(nvinfer1::DataType t) {
  switch (t) {
    case nvinfer1::DataType::kFLOAT:
      return "float32";
    case nvinfer1::DataType::kHALF:
      return "float16";
    case nvinfer1::DataType::kINT8:
      return "int8";
    case nvinfer1::DataType::kINT32:
      return "int32";
    case nvinfer1::DataType::kBOOL:
      return "bool";
#if EDGE_TRT_UINT8
    case nvinfer1::DataType::kUINT8:
      return "uint8";
#endif
#if EDGE_TRT_BF16
    case nvinfer1::DataType::kBF16:
      return "bfloat16";
#endif
#if EDGE_TRT_INT64
    case nvinfer1::DataType::kINT64:
      return "int64";
#endif
    default:
      return "unsupported";
  }
}

size_t DataTypeBytes(nvinfer1::DataType t) {
  std::string name = DataTypeName(t);
  if (name == "float32" || name == "int32") return 4;
  if (name == "float16" || name == "bfloat16") return 2;
  if (name == "int8" || name == "uint8" || name == "bool") return 1;
  if (name == "int64") return 8;
  return 0;
}

Napi::Array DimsArray(Napi::Env env, const std::vector<int64_t>& dims) {
  Napi::Array a = Napi::Array::New(env, dims.size());
  for (size_t i = 0; i < dims.size(); i++) a.Set(static_cast<uint32_t>(i), static_cast<double>(dims[i]));
  return a;
}

std::vector<uint8_t> CopyBytes(const Napi::Value& v) {
  if (!v.IsTypedArray()) return {};
  Napi::TypedArray t = v.As<Napi::TypedArray>();
  const uint8_t* p = static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
  return std::vector<uint8_t>(p, p + t.ByteLength());
}

}  // namespace edge_trt

#endif  // EDGE_WITH_TENSORRT
