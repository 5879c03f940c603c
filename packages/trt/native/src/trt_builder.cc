// Engine build on a worker thread: ONNX parser, builder config, one optimisation profile per
// execution context, timing cache, DLA placement, then the serialised plan. Messages and progress
// go to JavaScript while the build runs; the whole log also comes back with the result or the
// error. Every decision (precision, profiles, DLA) was made in TypeScript (src/builder.ts); this
// file applies it.
#if defined(EDGE_WITH_TENSORRT)

#include <atomic>
#include <cstring>
#include <map>

#include "dl.h"
#include "parts.h"
#include "trt_common.h"

namespace edge_trt {
namespace {

struct ProfileInput {
  std::string name;
  std::vector<int64_t> min, opt, max;
};

struct Request {
  std::vector<uint8_t> onnx;
  int device = 0;
  bool fp16 = false;
  bool int8 = false;
  bool strongly_typed = false;
  double workspace_bytes = 0;
  int dla_core = -1;
  bool gpu_fallback = false;
  int profile_copies = 1;
  std::vector<ProfileInput> profile;
  std::vector<uint8_t> timing_cache;
  std::vector<uint8_t> calibration_cache;
  bool verbose = false;
};

struct Event {
  bool is_log;
  LogLine log;
  std::string phase;
  int step = 0, steps = 0, depth = 0;
};

using EventTsfn = Napi::ThreadSafeFunction;

void Deliver(Napi::Env env, Napi::Function callback, Event* event) {
  if (env != nullptr && callback != nullptr) {
    Napi::Object o = Napi::Object::New(env);
    if (event->is_log) {
      o.Set("kind", "log");
      o.Set("severity", SeverityName(event->log.severity));
      o.Set("message", event->log.message);
    } else {
      o.Set("kind", "phase");
      o.Set("name", event->phase);
      o.Set("step", event->step);
      o.Set("steps", event->steps);
      o.Set("depth", event->depth);
    }
    callback.Call({o});
  }
  delete event;
}

#if EDGE_TRT_CALIBRATORS
// Replays a calibration cache made elsewhere (by @edge/calibrate on the development machine):
// TensorRT reads the cache and never asks for a batch, so nothing is recalibrated on the device.
class ReplayCalibrator : public nvinfer1::IInt8EntropyCalibrator2 {
 public:
  explicit ReplayCalibrator(const std::vector<uint8_t>& cache) : cache_(cache) {}
  int32_t getBatchSize() const noexcept override { return 1; }
  bool getBatch(void*[], char const*[], int32_t) noexcept override { return false; }
  void const* readCalibrationCache(std::size_t& length) noexcept override {
    length = cache_.size();
    return cache_.data();
  }
  void writeCalibrationCache(void const*, std::size_t) noexcept override {}

 private:
  const std::vector<uint8_t>& cache_;
};
#endif

#if EDGE_TRT_PROGRESS_MONITOR
// Forwards TensorRT's build phases and stops the build when cancelled.
class Progress : public nvinfer1::IProgressMonitor {
 public:
  Progress(std::atomic<bool>* cancelled, std::function<void(Event*)> emit) : cancelled_(cancelled), emit_(std::move(emit)) {}
  void phaseStart(char const* name, char const* parent, int32_t steps) noexcept override {
    int depth = 0;
    if (parent != nullptr) {
      auto it = depth_.find(parent);
      depth = it == depth_.end() ? 1 : it->second + 1;
    }
    depth_[name] = depth;
    steps_[name] = steps;
    Emit(name, 0);
  }
  bool stepComplete(char const* name, int32_t step) noexcept override {
    Emit(name, step + 1);
    return !cancelled_->load();
  }
  void phaseFinish(char const* name) noexcept override { Emit(name, steps_[name]); }

 private:
  void Emit(const std::string& name, int step) {
    auto* e = new Event{false, {}, name, step, steps_[name], depth_[name]};
    emit_(e);
  }
  std::atomic<bool>* cancelled_;
  std::function<void(Event*)> emit_;
  std::map<std::string, int> depth_;
  std::map<std::string, int> steps_;
};
#endif

struct Placement {
  std::string name;
  bool dla;
};

class BuildWorker : public Napi::AsyncWorker {
 public:
  BuildWorker(Napi::Env env, Request request, Napi::Function on_event, std::shared_ptr<std::atomic<bool>> cancelled)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        request_(std::move(request)),
        logger_(request_.verbose),
        cancelled_(std::move(cancelled)) {
    tsfn_ = EventTsfn::New(env, on_event, "edge_trt_build", 0, 1);
    logger_.SetSink([this](const LogLine& line) { Emit(new Event{true, line, "", 0, 0, 0}); });
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    const Cudart* rt = GetCudart(&error_);
    if (rt == nullptr) return Fail("CUDA runtime");
    int rc = rt->SetDevice(request_.device);
    if (rc != 0) return Fail("cudaSetDevice(" + std::to_string(request_.device) + "): " + CudartError(rc));

    Phase("parse", 0, 3);
    TrtPtr<nvinfer1::IBuilder> builder(CreateBuilder(&logger_, &error_));
    if (!builder) return Fail("builder");
    uint32_t flags = 0;
#if EDGE_TRT_IMPLICIT_BATCH_FLAG
    flags |= 1U << static_cast<uint32_t>(nvinfer1::NetworkDefinitionCreationFlag::kEXPLICIT_BATCH);
#endif
#if EDGE_TRT_STRONGLY_TYPED
    if (request_.strongly_typed) {
      flags |= 1U << static_cast<uint32_t>(nvinfer1::NetworkDefinitionCreationFlag::kSTRONGLY_TYPED);
    }
#else
    if (request_.strongly_typed) return Fail("network", "strongly typed networks need TensorRT 10");
#endif
    TrtPtr<nvinfer1::INetworkDefinition> network(builder->createNetworkV2(flags));
    if (!network) return Fail("network", "createNetworkV2 failed");
    TrtPtr<nvonnxparser::IParser> parser(CreateParser(network.get(), &logger_, &error_));
    if (!parser) return Fail("parser");
    if (!parser->parse(request_.onnx.data(), request_.onnx.size())) {
      std::string errors;
      for (int32_t i = 0; i < parser->getNbErrors(); i++) {
        const nvonnxparser::IParserError* e = parser->getError(i);
        errors += std::string(i > 0 ? "; " : "") + "node " + std::to_string(e->node()) + ": " + e->desc();
      }
      return Fail("ONNX parser", errors);
    }
    request_.onnx.clear();
    request_.onnx.shrink_to_fit();
    if (cancelled_->load()) return Fail("build", "cancelled");

    Phase("configure", 1, 3);
    TrtPtr<nvinfer1::IBuilderConfig> config(builder->createBuilderConfig());
    if (!config) return Fail("config", "createBuilderConfig failed");
    if (request_.workspace_bytes > 0) {
#if EDGE_TRT_MEMORY_POOLS
      config->setMemoryPoolLimit(nvinfer1::MemoryPoolType::kWORKSPACE, static_cast<size_t>(request_.workspace_bytes));
#else
      config->setMaxWorkspaceSize(static_cast<size_t>(request_.workspace_bytes));
#endif
    }
    if (!ApplyPrecision(config.get())) return;
    if (request_.dla_core >= 0) {
      if (request_.dla_core >= builder->getNbDLACores()) {
        return Fail("DLA", "DLA core " + std::to_string(request_.dla_core) + " does not exist (this device has " +
                               std::to_string(builder->getNbDLACores()) + ")");
      }
      config->setDefaultDeviceType(nvinfer1::DeviceType::kDLA);
      config->setDLACore(request_.dla_core);
      if (request_.gpu_fallback) config->setFlag(nvinfer1::BuilderFlag::kGPU_FALLBACK);
    }
    for (int copy = 0; copy < request_.profile_copies && !request_.profile.empty(); copy++) {
      nvinfer1::IOptimizationProfile* profile = builder->createOptimizationProfile();
      for (const ProfileInput& in : request_.profile) {
        if (!profile->setDimensions(in.name.c_str(), nvinfer1::OptProfileSelector::kMIN, ToDims(in.min)) ||
            !profile->setDimensions(in.name.c_str(), nvinfer1::OptProfileSelector::kOPT, ToDims(in.opt)) ||
            !profile->setDimensions(in.name.c_str(), nvinfer1::OptProfileSelector::kMAX, ToDims(in.max))) {
          return Fail("optimisation profile", "input '" + in.name + "' rejected its min/opt/max");
        }
      }
      if (config->addOptimizationProfile(profile) < 0) return Fail("optimisation profile", "addOptimizationProfile failed");
    }
    TrtPtr<nvinfer1::ITimingCache> timing(config->createTimingCache(
        request_.timing_cache.empty() ? nullptr : request_.timing_cache.data(), request_.timing_cache.size()));
    if (timing) config->setTimingCache(*timing, false);
#if EDGE_TRT_PROGRESS_MONITOR
    Progress progress(cancelled_.get(), [this](Event* e) { Emit(e); });
    config->setProgressMonitor(&progress);
#endif
    if (request_.dla_core >= 0) Place(network.get(), config.get());

    Phase("build", 2, 3);
    TrtPtr<nvinfer1::IHostMemory> plan(builder->buildSerializedNetwork(*network, *config));
    if (cancelled_->load()) return Fail("build", "cancelled");
    if (!plan || plan->size() == 0) return Fail("build", "TensorRT could not build the engine");
    const uint8_t* p = static_cast<const uint8_t*>(plan->data());
    plan_.assign(p, p + plan->size());
    const nvinfer1::ITimingCache* used = config->getTimingCache();
    if (used != nullptr) {
      TrtPtr<nvinfer1::IHostMemory> blob(used->serialize());
      if (blob) {
        const uint8_t* b = static_cast<const uint8_t*>(blob->data());
        timing_out_.assign(b, b + blob->size());
      }
    }
    Phase("build", 3, 3);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("plan", ToArray(env, plan_));
    out.Set("timingCache", timing_out_.empty() ? Napi::Value(env.Null()) : ToArray(env, timing_out_));
    Napi::Array layers = Napi::Array::New(env, placement_.size());
    for (size_t i = 0; i < placement_.size(); i++) {
      Napi::Object l = Napi::Object::New(env);
      l.Set("name", placement_[i].name);
      l.Set("device", placement_[i].dla ? "dla" : "gpu");
      layers.Set(static_cast<uint32_t>(i), l);
    }
    out.Set("layers", layers);
    out.Set("transitions", transitions_);
    out.Set("log", LogArray(env));
    tsfn_.Release();
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& e) override {
    Napi::Error error = Napi::Error::New(Env(), e.Message());
    error.Set("step", step_);
    error.Set("log", LogArray(Env()));
    tsfn_.Release();
    deferred_.Reject(error.Value());
  }

 private:
  bool ApplyPrecision(nvinfer1::IBuilderConfig* config) {
#if EDGE_TRT_PRECISION_FLAGS
    if (request_.fp16) config->setFlag(nvinfer1::BuilderFlag::kFP16);
    if (request_.int8) config->setFlag(nvinfer1::BuilderFlag::kINT8);
#else
    if (request_.fp16 || request_.int8) {
      Fail("precision", "TensorRT " + std::to_string(NV_TENSORRT_MAJOR) + "." + std::to_string(NV_TENSORRT_MINOR) +
                            " takes precisions from a strongly typed model, not from builder flags");
      return false;
    }
#endif
#if EDGE_TRT_CALIBRATORS
    if (!request_.calibration_cache.empty()) {
      calibrator_.reset(new ReplayCalibrator(request_.calibration_cache));
      config->setInt8Calibrator(calibrator_.get());
    }
#else
    if (!request_.calibration_cache.empty()) {
      Fail("precision", "TensorRT 10 builds INT8 from an explicit Q/DQ model, not from a calibration cache");
      return false;
    }
#endif
    (void)config;
    return true;
  }

  // Where each layer runs with the DLA configuration, and the tensors crossing between the DLA and
  // the GPU (each crossing costs a copy and a synchronisation).
  void Place(nvinfer1::INetworkDefinition* network, nvinfer1::IBuilderConfig* config) {
    std::map<const nvinfer1::ITensor*, bool> produced_on_dla;
    for (int32_t i = 0; i < network->getNbLayers(); i++) {
      nvinfer1::ILayer* layer = network->getLayer(i);
      bool dla = config->canRunOnDLA(layer);
      placement_.push_back({layer->getName(), dla});
      for (int32_t k = 0; k < layer->getNbInputs(); k++) {
        auto it = produced_on_dla.find(layer->getInput(k));
        if (it != produced_on_dla.end() && it->second != dla) transitions_++;
      }
      for (int32_t k = 0; k < layer->getNbOutputs(); k++) produced_on_dla[layer->getOutput(k)] = dla;
    }
  }

  void Emit(Event* e) {
    if (tsfn_.BlockingCall(e, Deliver) != napi_ok) delete e;
  }

  void Phase(const char* name, int step, int steps) {
    step_ = name;
    Emit(new Event{false, {}, std::string("edge:") + name, step, steps, 0});
  }

  void Fail(const std::string& what, const std::string& why = "") {
    std::string reason = why.empty() ? error_ : why;
    SetError(what + ": " + reason);
  }

  Napi::Value ToArray(Napi::Env env, const std::vector<uint8_t>& bytes) {
    Napi::Uint8Array a = Napi::Uint8Array::New(env, bytes.size());
    if (!bytes.empty()) std::memcpy(a.Data(), bytes.data(), bytes.size());
    return a;
  }

  Napi::Array LogArray(Napi::Env env) {
    std::vector<LogLine> lines = logger_.Lines();
    Napi::Array a = Napi::Array::New(env, lines.size());
    for (size_t i = 0; i < lines.size(); i++) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("severity", SeverityName(lines[i].severity));
      o.Set("message", lines[i].message);
      a.Set(static_cast<uint32_t>(i), o);
    }
    return a;
  }

  Napi::Promise::Deferred deferred_;
  Request request_;
  Logger logger_;
  std::shared_ptr<std::atomic<bool>> cancelled_;
  EventTsfn tsfn_;
  std::string error_;
  std::string step_ = "start";
  std::vector<uint8_t> plan_;
  std::vector<uint8_t> timing_out_;
  std::vector<Placement> placement_;
  int transitions_ = 0;
#if EDGE_TRT_CALIBRATORS
  std::unique_ptr<ReplayCalibrator> calibrator_;
#endif
};

std::vector<int64_t> Ints(Napi::Value v) {
  std::vector<int64_t> out;
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::Number>().Int64Value());
  return out;
}

Request ParseRequest(Napi::Env env, Napi::Object o) {
  Request r;
  if (!o.Get("onnx").IsTypedArray()) Fail(env, "build: request.onnx must be a Uint8Array");
  r.onnx = CopyBytes(o.Get("onnx"));
  r.device = o.Get("device").As<Napi::Number>().Int32Value();
  r.fp16 = o.Get("fp16").ToBoolean();
  r.int8 = o.Get("int8").ToBoolean();
  r.strongly_typed = o.Get("stronglyTyped").ToBoolean();
  r.workspace_bytes = o.Get("workspaceBytes").As<Napi::Number>().DoubleValue();
  r.dla_core = o.Get("dlaCore").As<Napi::Number>().Int32Value();
  r.gpu_fallback = o.Get("gpuFallback").ToBoolean();
  r.profile_copies = o.Get("profileCopies").As<Napi::Number>().Int32Value();
  r.verbose = o.Get("verbose").ToBoolean();
  Napi::Array profile = o.Get("profile").As<Napi::Array>();
  for (uint32_t i = 0; i < profile.Length(); i++) {
    Napi::Object p = profile.Get(i).As<Napi::Object>();
    r.profile.push_back({p.Get("name").As<Napi::String>().Utf8Value(), Ints(p.Get("min")), Ints(p.Get("opt")),
                         Ints(p.Get("max"))});
  }
  r.timing_cache = CopyBytes(o.Get("timingCache"));
  r.calibration_cache = CopyBytes(o.Get("calibrationCache"));
  return r;
}

Napi::Value Cancel(const Napi::CallbackInfo& info) {
  Shared<std::atomic<bool>>::From(info)->store(true);
  return info.Env().Undefined();
}

Napi::Value Build(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsObject() || !info[1].IsFunction()) Fail(env, "build(request, onEvent)");
  Request request = ParseRequest(env, info[0].As<Napi::Object>());
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  auto* worker = new BuildWorker(env, std::move(request), info[1].As<Napi::Function>(), cancelled);
  Napi::Object job = Napi::Object::New(env);
  job.Set("promise", worker->Promise());
  auto* holder = Attach(job, cancelled);
  job.Set("cancel", Napi::Function::New(env, Cancel, "cancel", holder));
  worker->Queue();
  return job;
}

Napi::Value DlaCores(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Logger logger(false);
  std::string error;
  TrtPtr<nvinfer1::IRuntime> runtime(CreateRuntime(&logger, &error));
  if (!runtime) Fail(env, error);
  return Napi::Number::New(env, runtime->getNbDLACores());
}

}  // namespace

void InitEngine(Napi::Env env, Napi::Object exports);

void InitTensorRT(Napi::Env env, Napi::Object exports) {
  exports.Set("build", Napi::Function::New(env, Build, "build"));
  exports.Set("dlaCores", Napi::Function::New(env, DlaCores, "dlaCores"));
  InitEngine(env, exports);
}

}  // namespace edge_trt

#endif  // EDGE_WITH_TENSORRT
