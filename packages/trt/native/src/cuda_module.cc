// The CUDA preprocessing kernel, loaded from PTX through the driver API (cuModuleLoadData JIT-
// compiles it for the GPU at hand), so that neither the CUDA toolkit nor a cubin for one GPU is
// needed at install. The launch runs on a worker thread: copy the image to the device, run the
// kernel, copy the output slot back.
#include <napi.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dl.h"
#include "parts.h"
#include "preprocess_params.h"

namespace edge_trt {
namespace {

struct ModuleState {
  const Driver* drv = nullptr;
  int device = 0;
  void* context = nullptr;
  void* module = nullptr;
  void* function = nullptr;
  std::mutex mutex;  // one launch at a time per module (the buffers are per launch anyway)
  bool disposed = false;

  ~ModuleState() { Release(); }
  void Release() {
    if (drv == nullptr) return;
    if (module != nullptr) {
      drv->CtxSetCurrent(context);
      drv->ModuleUnload(module);
      module = nullptr;
    }
    if (context != nullptr) {
      drv->DevicePrimaryCtxRelease(device);
      context = nullptr;
    }
  }
};

// Frees device allocations however the launch ends.
struct DeviceBuffers {
  const Driver* drv;
  std::vector<unsigned long long> ptrs;
  ~DeviceBuffers() {
    for (unsigned long long p : ptrs) drv->MemFree(p);
  }
  int Alloc(size_t bytes, unsigned long long* out) {
    int rc = drv->MemAlloc(out, bytes == 0 ? 1 : bytes);
    if (rc == 0) ptrs.push_back(*out);
    return rc;
  }
};

class LaunchWorker : public Napi::AsyncWorker {
 public:
  LaunchWorker(Napi::Env env, std::shared_ptr<ModuleState> state, Napi::Uint8Array src, Napi::TypedArray dst,
               const EdgePreprocessParams& params, std::vector<uint32_t> table)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        state_(std::move(state)),
        src_ref_(Napi::Persistent(src.As<Napi::Object>())),
        dst_ref_(Napi::Persistent(dst.As<Napi::Object>())),
        src_(src.Data()),
        src_bytes_(src.ByteLength()),
        dst_(static_cast<uint8_t*>(dst.ArrayBuffer().Data()) + dst.ByteOffset()),
        dst_bytes_(dst.ByteLength()),
        params_(params),
        table_(std::move(table)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    std::lock_guard<std::mutex> lock(state_->mutex);
    const Driver* drv = state_->drv;
    if (state_->disposed) return SetError("the CUDA module is disposed");
    int rc = drv->CtxSetCurrent(state_->context);
    if (rc != 0) return SetError("cuCtxSetCurrent: " + DriverError(rc));
    DeviceBuffers buffers{drv, {}};
    unsigned long long d_src = 0, d_dst = 0, d_table = 0;
    size_t table_bytes = table_.size() * sizeof(uint32_t);
    if ((rc = buffers.Alloc(src_bytes_, &d_src)) != 0 || (rc = buffers.Alloc(dst_bytes_, &d_dst)) != 0 ||
        (rc = buffers.Alloc(table_bytes, &d_table)) != 0) {
      return SetError("cuMemAlloc: " + DriverError(rc));
    }
    if ((rc = drv->MemcpyHtoD(d_src, src_, src_bytes_)) != 0 ||
        (rc = drv->MemcpyHtoD(d_table, table_.data(), table_bytes)) != 0) {
      return SetError("cuMemcpyHtoD: " + DriverError(rc));
    }
    void* args[] = {&d_src, &d_dst, &d_table, &params_};
    const unsigned block = 16;
    unsigned gx = (static_cast<unsigned>(params_.out_width) + block - 1) / block;
    unsigned gy = (static_cast<unsigned>(params_.out_height) + block - 1) / block;
    rc = drv->LaunchKernel(state_->function, gx, gy, 1, block, block, 1, 0, nullptr, args, nullptr);
    if (rc != 0) return SetError("cuLaunchKernel: " + DriverError(rc));
    if ((rc = drv->CtxSynchronize()) != 0) return SetError("kernel failed: " + DriverError(rc));
    if ((rc = drv->MemcpyDtoH(dst_, d_dst, dst_bytes_)) != 0) return SetError("cuMemcpyDtoH: " + DriverError(rc));
  }

  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<ModuleState> state_;
  Napi::ObjectReference src_ref_;  // keep the arrays alive until the copy back
  Napi::ObjectReference dst_ref_;
  const uint8_t* src_;
  size_t src_bytes_;
  uint8_t* dst_;
  size_t dst_bytes_;
  EdgePreprocessParams params_;
  std::vector<uint32_t> table_;
};

std::shared_ptr<ModuleState>* StateOf(const Napi::CallbackInfo& info) {
  return static_cast<std::shared_ptr<ModuleState>*>(info.Data());
}

Napi::Value Preprocess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<ModuleState> state = *StateOf(info);
  if (info.Length() != 4 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsTypedArray() ||
      !info[3].IsTypedArray()) {
    Fail(env, "preprocess(src, dst, ints, floats)");
  }
  Napi::Uint8Array src = info[0].As<Napi::Uint8Array>();
  Napi::TypedArray dst = info[1].As<Napi::TypedArray>();
  Napi::Int32Array ints = info[2].As<Napi::Int32Array>();
  Napi::Float64Array floats = info[3].As<Napi::Float64Array>();
  if (src.TypedArrayType() != napi_uint8_array || ints.TypedArrayType() != napi_int32_array ||
      floats.TypedArrayType() != napi_float64_array || ints.ElementLength() != EDGE_PREPROCESS_INTS + EDGE_PREPROCESS_TABLE ||
      floats.ElementLength() != 2) {
    Fail(env, "preprocess: arrays of the wrong type or length (packed by src/gpu-preprocess.ts)");
  }
  EdgePreprocessParams p;
  std::memcpy(&p, ints.Data(), EDGE_PREPROCESS_INTS * sizeof(int32_t));
  p.scale_x = floats[0];
  p.scale_y = floats[1];
  // The second line of defence: what memory safety depends on (TypeScript checked everything).
  long long need_src = static_cast<long long>(p.src_y + p.src_h - 1) * p.src_stride +
                       static_cast<long long>(p.src_x + p.src_w) * p.src_channels;
  long long need_dst = static_cast<long long>(p.channels) * p.out_width * p.out_height * p.element_bytes;
  if (p.channels < 1 || p.channels > 4 || p.src_w < 1 || p.src_h < 1 || p.src_x < 0 || p.src_y < 0 ||
      p.src_x + p.src_w > p.src_width || p.src_y + p.src_h > p.src_height ||
      static_cast<long long>(src.ByteLength()) < need_src || static_cast<long long>(dst.ByteLength()) != need_dst) {
    Fail(env, "preprocess: the job does not fit its arrays");
  }
  for (int c = 0; c < p.channels; c++) {
    if (p.channel_map[c] < 0 || p.channel_map[c] >= p.src_channels) Fail(env, "preprocess: channel map out of range");
  }
  std::vector<uint32_t> table(EDGE_PREPROCESS_TABLE);
  std::memcpy(table.data(), ints.Data() + EDGE_PREPROCESS_INTS, table.size() * sizeof(uint32_t));
  auto* worker = new LaunchWorker(env, state, src, dst, p, std::move(table));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  std::shared_ptr<ModuleState> state = *StateOf(info);
  std::lock_guard<std::mutex> lock(state->mutex);
  if (!state->disposed) {
    state->disposed = true;
    state->Release();
  }
  return info.Env().Undefined();
}

Napi::Value LoadCudaModule(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsString() || !info[1].IsNumber()) Fail(env, "loadCudaModule(ptx, device)");
  std::string ptx = info[0].As<Napi::String>().Utf8Value();
  int index = info[1].As<Napi::Number>().Int32Value();
  std::string error;
  const Driver* drv = GetDriver(&error);
  if (drv == nullptr) Fail(env, error);
  auto state = std::make_shared<ModuleState>();
  state->drv = drv;
  int rc = drv->DeviceGet(&state->device, index);
  if (rc != 0) Fail(env, "cuDeviceGet(" + std::to_string(index) + "): " + DriverError(rc));
  if ((rc = drv->DevicePrimaryCtxRetain(&state->context, state->device)) != 0) {
    state->context = nullptr;
    Fail(env, "cuDevicePrimaryCtxRetain: " + DriverError(rc));
  }
  if ((rc = drv->CtxSetCurrent(state->context)) != 0) Fail(env, "cuCtxSetCurrent: " + DriverError(rc));
  if ((rc = drv->ModuleLoadData(&state->module, ptx.c_str())) != 0) {
    state->module = nullptr;
    Fail(env, "cuModuleLoadData (JIT of the preprocessing PTX): " + DriverError(rc));
  }
  if ((rc = drv->ModuleGetFunction(&state->function, state->module, "edge_preprocess")) != 0) {
    Fail(env, "cuModuleGetFunction(edge_preprocess): " + DriverError(rc));
  }
  // The functions share the state; it is freed with the object that holds them.
  auto* holder = new std::shared_ptr<ModuleState>(state);
  Napi::Object out = Napi::Object::New(env);
  out.Set("preprocess", Napi::Function::New(env, Preprocess, "preprocess", holder));
  out.Set("dispose", Napi::Function::New(env, Dispose, "dispose", holder));
  out.AddFinalizer([](Napi::Env, std::shared_ptr<ModuleState>* h) { delete h; }, holder);
  return out;
}

}  // namespace

void InitCudaModule(Napi::Env env, Napi::Object exports) {
  exports.Set("loadCudaModule", Napi::Function::New(env, LoadCudaModule, "loadCudaModule"));
}

}  // namespace edge_trt
