// Engines and execution contexts. An engine is deserialised on a worker thread; each context owns
// a CUDA stream and keeps its pinned host and device buffers between runs, growing them only when
// a larger shape comes. A run sets the input shapes, copies in, enqueues, copies out and waits for
// its stream on a worker thread. TensorRT before 8.5 addresses tensors by binding index (with one
// block of bindings per optimisation profile), later ones by name: EDGE_TRT_NAMED_TENSORS.
#if defined(EDGE_WITH_TENSORRT)

#include <atomic>
#include <cstring>

#include "dl.h"
#include "parts.h"
#include "trt_common.h"

namespace edge_trt {
namespace {

struct TensorDesc {
  std::string name;
  bool input;
  nvinfer1::DataType type;
  std::vector<int64_t> dims;
  std::vector<int64_t> min, opt, max;  // profile 0, dynamic inputs only
};

struct EngineState {
  int device = 0;
  Logger logger{false};
  TrtPtr<nvinfer1::IRuntime> runtime;
  TrtPtr<nvinfer1::ICudaEngine> engine;
  std::vector<TensorDesc> tensors;
  int profiles = 1;
  ~EngineState() {
    engine.reset();  // the engine before the runtime that made it
    runtime.reset();
  }
};

bool IsDynamic(const std::vector<int64_t>& dims) {
  for (int64_t d : dims) {
    if (d < 0) return true;
  }
  return false;
}

void Describe(EngineState* s) {
  nvinfer1::ICudaEngine* e = s->engine.get();
  s->profiles = e->getNbOptimizationProfiles();
#if EDGE_TRT_NAMED_TENSORS
  for (int32_t i = 0; i < e->getNbIOTensors(); i++) {
    const char* name = e->getIOTensorName(i);
    TensorDesc t{name, e->getTensorIOMode(name) == nvinfer1::TensorIOMode::kINPUT, e->getTensorDataType(name),
                 FromDims(e->getTensorShape(name)), {}, {}, {}};
    if (t.input && IsDynamic(t.dims)) {
      t.min = FromDims(e->getProfileShape(name, 0, nvinfer1::OptProfileSelector::kMIN));
      t.opt = FromDims(e->getProfileShape(name, 0, nvinfer1::OptProfileSelector::kOPT));
      t.max = FromDims(e->getProfileShape(name, 0, nvinfer1::OptProfileSelector::kMAX));
    }
    s->tensors.push_back(t);
  }
#else
  // Bindings of profile 0 come first; later profiles repeat the block with suffixed names.
  int32_t per_profile = e->getNbBindings() / s->profiles;
  for (int32_t i = 0; i < per_profile; i++) {
    TensorDesc t{e->getBindingName(i), e->bindingIsInput(i), e->getBindingDataType(i),
                 FromDims(e->getBindingDimensions(i)), {}, {}, {}};
    if (t.input && IsDynamic(t.dims)) {
      t.min = FromDims(e->getProfileDimensions(i, 0, nvinfer1::OptProfileSelector::kMIN));
      t.opt = FromDims(e->getProfileDimensions(i, 0, nvinfer1::OptProfileSelector::kOPT));
      t.max = FromDims(e->getProfileDimensions(i, 0, nvinfer1::OptProfileSelector::kMAX));
    }
    s->tensors.push_back(t);
  }
#endif
}

// --- context -----------------------------------------------------------------------------------

struct Buffer {
  void* device = nullptr;
  size_t device_bytes = 0;
  void* host = nullptr;  // pinned
  size_t host_bytes = 0;
};

struct ContextState {
  std::shared_ptr<EngineState> engine;
  const Cudart* rt = nullptr;
  TrtPtr<nvinfer1::IExecutionContext> context;
  void* stream = nullptr;
  int profile = 0;
  std::vector<Buffer> buffers;  // one per tensor, in EngineState::tensors order
  // Claimed by a run from its start to its end. An atomic, not a try-locked mutex: glibc 2.34
  // re-versioned pthread_mutex_trylock (see compat.cc).
  std::atomic<bool> busy{false};
  bool disposed = false;

  ~ContextState() { Release(); }
  bool Claim() {
    bool idle = false;
    return busy.compare_exchange_strong(idle, true, std::memory_order_acq_rel);
  }
  void Unclaim() { busy.store(false, std::memory_order_release); }
  void Release() {
    if (rt == nullptr) return;
    context.reset();
    for (Buffer& b : buffers) {
      if (b.device != nullptr) rt->Free(b.device);
      if (b.host != nullptr) rt->FreeHost(b.host);
      b = Buffer{};
    }
    if (stream != nullptr) rt->StreamDestroy(stream);
    stream = nullptr;
  }
  // Grows a buffer to at least `bytes` (contents are not kept); returns a CUDA error or 0.
  int Reserve(Buffer* b, size_t bytes, bool host) {
    void** ptr = host ? &b->host : &b->device;
    size_t* have = host ? &b->host_bytes : &b->device_bytes;
    if (*have >= bytes && *ptr != nullptr) return 0;
    if (*ptr != nullptr) {
      if (host) rt->FreeHost(*ptr);
      else rt->Free(*ptr);
    }
    *ptr = nullptr;
    *have = 0;
    int rc = host ? rt->MallocHost(ptr, bytes == 0 ? 1 : bytes) : rt->Malloc(ptr, bytes == 0 ? 1 : bytes);
    if (rc == 0) *have = bytes;
    return rc;
  }
#if !EDGE_TRT_NAMED_TENSORS
  int32_t BindingIndex(size_t tensor) const {
    return static_cast<int32_t>(tensor) +
           profile * (engine->engine->getNbBindings() / engine->profiles);
  }
#endif
};

size_t Volume(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d < 0 ? 0 : d);
  return n;
}

struct RunInput {
  size_t tensor;
  std::vector<int64_t> dims;
};

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<ContextState> state, std::vector<RunInput> inputs)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        state_(std::move(state)),
        inputs_(std::move(inputs)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    ContextState* s = state_.get();
    const Cudart* rt = s->rt;
    EngineState* e = s->engine.get();
    int rc = rt->SetDevice(e->device);
    if (rc != 0) return SetError("cudaSetDevice: " + CudartError(rc));
    nvinfer1::IExecutionContext* ctx = s->context.get();
    for (const RunInput& in : inputs_) {
      const TensorDesc& t = e->tensors[in.tensor];
#if EDGE_TRT_NAMED_TENSORS
      bool ok = ctx->setInputShape(t.name.c_str(), ToDims(in.dims));
#else
      bool ok = ctx->setBindingDimensions(s->BindingIndex(in.tensor), ToDims(in.dims));
#endif
      if (!ok) return SetError("TensorRT refused the shape of input '" + t.name + "': " + e->logger.Problems());
    }
    std::vector<void*> bindings(e->tensors.size(), nullptr);
    outputs_.clear();
    for (size_t i = 0; i < e->tensors.size(); i++) {
      const TensorDesc& t = e->tensors[i];
      std::vector<int64_t> dims;
      if (t.input) {
        for (const RunInput& in : inputs_) {
          if (in.tensor == i) dims = in.dims;
        }
      } else {
#if EDGE_TRT_NAMED_TENSORS
        dims = FromDims(ctx->getTensorShape(t.name.c_str()));
#else
        dims = FromDims(ctx->getBindingDimensions(s->BindingIndex(i)));
#endif
        if (IsDynamic(dims)) return SetError("TensorRT left output '" + t.name + "' without a shape");
        outputs_.push_back({i, dims});
      }
      size_t bytes = Volume(dims) * DataTypeBytes(t.type);
      Buffer& b = s->buffers[i];
      if ((rc = s->Reserve(&b, bytes, false)) != 0) return SetError("cudaMalloc: " + CudartError(rc));
      if (!t.input && (rc = s->Reserve(&b, bytes, true)) != 0) return SetError("cudaMallocHost: " + CudartError(rc));
      bindings[i] = b.device;
#if EDGE_TRT_NAMED_TENSORS
      if (!ctx->setTensorAddress(t.name.c_str(), b.device)) return SetError("setTensorAddress('" + t.name + "') failed");
#endif
      if (t.input) {
        if ((rc = rt->MemcpyAsync(b.device, b.host, bytes, 1, s->stream)) != 0) return SetError("copy to GPU: " + CudartError(rc));
      }
    }
    auto stream = static_cast<cudaStream_t>(s->stream);
#if EDGE_TRT_NAMED_TENSORS
    bool queued = ctx->enqueueV3(stream);
#else
    std::vector<void*> all(e->engine->getNbBindings(), nullptr);
    for (size_t i = 0; i < bindings.size(); i++) all[s->BindingIndex(i)] = bindings[i];
    bool queued = ctx->enqueueV2(all.data(), stream, nullptr);
#endif
    if (!queued) return SetError("TensorRT could not enqueue: " + e->logger.Problems());
    for (const RunInput& out : outputs_) {
      Buffer& b = s->buffers[out.tensor];
      size_t bytes = Volume(out.dims) * DataTypeBytes(e->tensors[out.tensor].type);
      if ((rc = rt->MemcpyAsync(b.host, b.device, bytes, 2, s->stream)) != 0) return SetError("copy from GPU: " + CudartError(rc));
    }
    if ((rc = rt->StreamSynchronize(s->stream)) != 0) return SetError("inference failed: " + CudartError(rc));
  }

  void OnOK() override {
    Napi::Env env = Env();
    EngineState* e = state_->engine.get();
    Napi::Array out = Napi::Array::New(env, outputs_.size());
    for (size_t k = 0; k < outputs_.size(); k++) {
      const RunInput& o = outputs_[k];
      const TensorDesc& t = e->tensors[o.tensor];
      size_t bytes = Volume(o.dims) * DataTypeBytes(t.type);
      Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, bytes);
      if (bytes > 0) std::memcpy(buffer.Data(), state_->buffers[o.tensor].host, bytes);
      Napi::Object r = Napi::Object::New(env);
      r.Set("name", t.name);
      r.Set("dims", DimsArray(env, o.dims));
      r.Set("data", Napi::Uint8Array::New(env, bytes, buffer, 0));
      out.Set(static_cast<uint32_t>(k), r);
    }
    state_->Unclaim();
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& error) override {
    state_->Unclaim();
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<ContextState> state_;
  std::vector<RunInput> inputs_;
  std::vector<RunInput> outputs_;
};

Napi::Value Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<ContextState> s = Shared<ContextState>::From(info);
  if (!s || s->disposed) Fail(env, "the execution context is disposed");
  if (info.Length() != 1 || !info[0].IsArray()) Fail(env, "run(inputs)");
  if (!s->Claim()) Fail(env, "the execution context is running another inference");
  // From here the claim is released by the worker, or below on a bad argument.
  std::vector<RunInput> inputs;
  try {
    EngineState* e = s->engine.get();
    Napi::Array list = info[0].As<Napi::Array>();
    for (uint32_t k = 0; k < list.Length(); k++) {
      Napi::Object in = list.Get(k).As<Napi::Object>();
      std::string name = in.Get("name").As<Napi::String>().Utf8Value();
      size_t index = e->tensors.size();
      for (size_t i = 0; i < e->tensors.size(); i++) {
        if (e->tensors[i].input && e->tensors[i].name == name) index = i;
      }
      if (index == e->tensors.size()) Fail(env, "run: '" + name + "' is not an input of the engine");
      Napi::Array d = in.Get("dims").As<Napi::Array>();
      std::vector<int64_t> dims;
      for (uint32_t i = 0; i < d.Length(); i++) dims.push_back(d.Get(i).As<Napi::Number>().Int64Value());
      Napi::TypedArray data = in.Get("data").As<Napi::TypedArray>();
      size_t bytes = Volume(dims) * DataTypeBytes(e->tensors[index].type);
      if (data.ByteLength() != bytes) Fail(env, "run: data of '" + name + "' does not match its dims and dtype");
      Buffer& b = s->buffers[index];
      int rc = s->Reserve(&b, bytes, true);
      if (rc != 0) Fail(env, "cudaMallocHost: " + CudartError(rc));
      if (bytes > 0) {
        std::memcpy(b.host, static_cast<uint8_t*>(data.ArrayBuffer().Data()) + data.ByteOffset(), bytes);
      }
      inputs.push_back({index, dims});
    }
  } catch (...) {
    s->Unclaim();
    throw;
  }
  auto* worker = new RunWorker(env, s, std::move(inputs));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value DisposeContext(const Napi::CallbackInfo& info) {
  std::shared_ptr<ContextState> s = Shared<ContextState>::From(info);
  if (s) {
    // A run holds the claim until its completion runs on this thread: waiting here would never end.
    if (!s->Claim()) {
      Fail(info.Env(), "the execution context is running an inference; dispose it when the run ends");
    }
    s->disposed = true;
    s->Release();
    s->Unclaim();
  }
  Shared<ContextState>::Reset(info);
  return info.Env().Undefined();
}

Napi::Value CreateContext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<EngineState> e = Shared<EngineState>::From(info);
  if (!e) Fail(env, "the engine is disposed");
  int profile = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  if (profile < 0 || profile >= e->profiles) Fail(env, "createContext: no optimisation profile " + std::to_string(profile));
  std::string error;
  auto s = std::make_shared<ContextState>();
  s->engine = e;
  s->rt = GetCudart(&error);
  if (s->rt == nullptr) Fail(env, error);
  int rc = s->rt->SetDevice(e->device);
  if (rc != 0) Fail(env, "cudaSetDevice: " + CudartError(rc));
  s->context.reset(e->engine->createExecutionContext());
  if (!s->context) Fail(env, "createExecutionContext failed: " + e->logger.Problems());
  if ((rc = s->rt->StreamCreate(&s->stream)) != 0) Fail(env, "cudaStreamCreate: " + CudartError(rc));
  s->profile = profile;
  if (profile != 0 && !s->context->setOptimizationProfileAsync(profile, static_cast<cudaStream_t>(s->stream))) {
    Fail(env, "setOptimizationProfileAsync(" + std::to_string(profile) + ") failed");
  }
  s->buffers.resize(e->tensors.size());
  Napi::Object out = Napi::Object::New(env);
  auto* holder = Attach(out, s);
  out.Set("run", Napi::Function::New(env, Run, "run", holder));
  out.Set("dispose", Napi::Function::New(env, DisposeContext, "dispose", holder));
  return out;
}

Napi::Value DisposeEngine(const Napi::CallbackInfo& info) {
  // Contexts keep the engine alive until they are disposed too.
  Shared<EngineState>::Reset(info);
  return info.Env().Undefined();
}

Napi::Object EngineObject(Napi::Env env, std::shared_ptr<EngineState> e) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Array tensors = Napi::Array::New(env, e->tensors.size());
  for (size_t i = 0; i < e->tensors.size(); i++) {
    const TensorDesc& t = e->tensors[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", t.name);
    o.Set("mode", t.input ? "input" : "output");
    o.Set("dtype", DataTypeName(t.type));
    o.Set("dims", DimsArray(env, t.dims));
    if (!t.min.empty()) {
      o.Set("min", DimsArray(env, t.min));
      o.Set("opt", DimsArray(env, t.opt));
      o.Set("max", DimsArray(env, t.max));
    }
    tensors.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("tensors", tensors);
  out.Set("layers", e->engine->getNbLayers());
  out.Set("profiles", e->profiles);
  auto* holder = Attach(out, e);
  out.Set("createContext", Napi::Function::New(env, CreateContext, "createContext", holder));
  out.Set("dispose", Napi::Function::New(env, DisposeEngine, "dispose", holder));
  return out;
}

class DeserializeWorker : public Napi::AsyncWorker {
 public:
  DeserializeWorker(Napi::Env env, std::vector<uint8_t> plan, int device, int dla_core)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        plan_(std::move(plan)),
        dla_core_(dla_core) {
    state_ = std::make_shared<EngineState>();
    state_->device = device;
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    std::string error;
    const Cudart* rt = GetCudart(&error);
    if (rt == nullptr) return SetError(error);
    int rc = rt->SetDevice(state_->device);
    if (rc != 0) return SetError("cudaSetDevice: " + CudartError(rc));
    state_->runtime.reset(CreateRuntime(&state_->logger, &error));
    if (!state_->runtime) return SetError(error);
    if (dla_core_ >= 0) state_->runtime->setDLACore(dla_core_);
    state_->engine.reset(state_->runtime->deserializeCudaEngine(plan_.data(), plan_.size()));
    if (!state_->engine) return SetError("TensorRT could not deserialise the plan: " + state_->logger.Problems());
    Describe(state_.get());
  }
  void OnOK() override { deferred_.Resolve(EngineObject(Env(), state_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<uint8_t> plan_;
  int dla_core_;
  std::shared_ptr<EngineState> state_;
};

Napi::Value Deserialize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsNumber()) {
    Fail(env, "deserialize(plan, device, dlaCore)");
  }
  auto* worker = new DeserializeWorker(env, CopyBytes(info[0]), info[1].As<Napi::Number>().Int32Value(),
                                       info[2].As<Napi::Number>().Int32Value());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void InitEngine(Napi::Env env, Napi::Object exports) {
  exports.Set("deserialize", Napi::Function::New(env, Deserialize, "deserialize"));
}

}  // namespace edge_trt

#endif  // EDGE_WITH_TENSORRT
