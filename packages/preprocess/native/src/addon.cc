// Node-API surface of the native kernel. The JavaScript loader (src/native.ts) validates every job
// and packs it into two typed arrays (layout below, mirrored there); this file unpacks, checks
// again what memory safety depends on, and runs the jobs on the calling thread or off it.
//
// Packed job layout: per job INTS_PER_JOB int32 and FLOATS_PER_JOB float64.
//   ints:   srcWidth srcHeight srcStride srcChannels | srcRect x y w h | dstRect x y w h |
//           outWidth outHeight | interpolation layout dtype channels | channelMap[4] | 0 0
//   floats: mul[4] add[4] pad[4] | quantScale dstOffset quantZeroPoint 0
// (dstOffset and the zero point are doubles: any safe integer the TypeScript kernel takes fits.)

#include <napi.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "kernel.h"
#include "pool.h"

namespace edge_preprocess {
namespace {

constexpr int kIntsPerJob = 24;
constexpr int kFloatsPerJob = 16;
// Below this many output elements a job runs on the calling thread alone: waking a worker costs
// more than it saves.
constexpr size_t kParallelElements = 1 << 15;

struct Packed {
  const int32_t* ints;
  const double* floats;
};

napi_typedarray_type ExpectedType(int dtype) {
  switch (dtype) {
    case kFloat32:
      return napi_float32_array;
    case kFloat16:
      return napi_uint16_array;
    case kUint8:
      return napi_uint8_array;
    default:
      return napi_int8_array;
  }
}

size_t ElementSize(int dtype) { return dtype == kFloat32 ? 4 : dtype == kFloat16 ? 2 : 1; }

// Builds job `k` from the packed arrays and the two typed arrays. Throws a JavaScript error for
// anything that would let the kernel touch memory outside them.
Job Unpack(Napi::Env env, const Packed& p, size_t k, Napi::Value srcValue, Napi::Value dstValue) {
  const int32_t* i = p.ints + k * kIntsPerJob;
  const double* f = p.floats + k * kFloatsPerJob;
  if (!srcValue.IsTypedArray() || srcValue.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env, "src must be a Uint8Array");
  if (!dstValue.IsTypedArray()) throw Napi::TypeError::New(env, "dst must be a typed array");
  Napi::Uint8Array src = srcValue.As<Napi::Uint8Array>();
  Napi::TypedArray dst = dstValue.As<Napi::TypedArray>();

  Job j{};
  j.src = src.Data();
  j.srcLength = src.ElementLength();
  j.srcWidth = i[0];
  j.srcHeight = i[1];
  j.srcStride = i[2];
  j.srcChannels = i[3];
  j.srcRect = {i[4], i[5], i[6], i[7]};
  j.dstRect = {i[8], i[9], i[10], i[11]};
  j.outWidth = i[12];
  j.outHeight = i[13];
  j.interpolation = i[14];
  j.layout = i[15];
  j.dtype = i[16];
  j.channels = i[17];
  for (int c = 0; c < 4; c++) {
    j.channelMap[c] = i[18 + c];
    j.mul[c] = f[c];
    j.add[c] = f[4 + c];
    j.pad[c] = f[8 + c];
  }
  j.quantScale = f[12];
  j.quantZeroPoint = f[14];
  const double offset = f[13];
  if (j.dtype < kFloat32 || j.dtype > kInt8) throw Napi::RangeError::New(env, "unknown dtype");
  if (dst.TypedArrayType() != ExpectedType(j.dtype))
    throw Napi::TypeError::New(env, "dst's element type does not match dtype");
  if (!(offset >= 0) || offset > 9007199254740991.0) throw Napi::RangeError::New(env, "dstOffset out of range");
  j.dstOffset = static_cast<size_t>(offset);
  Napi::ArrayBuffer buffer = dst.ArrayBuffer();
  j.dst = static_cast<uint8_t*>(buffer.Data()) + dst.ByteOffset();
  j.dstLength = dst.ElementLength();
  const std::string problem = CheckJob(j);
  if (!problem.empty()) throw Napi::RangeError::New(env, problem);
  // The kernel reads src while it writes dst: they must not share bytes.
  const uint8_t* d0 = static_cast<const uint8_t*>(j.dst) + j.dstOffset * ElementSize(j.dtype);
  const uint8_t* d1 = d0 + JobElements(j) * ElementSize(j.dtype);
  if (j.src < d1 && d0 < j.src + j.srcLength) throw Napi::RangeError::New(env, "src and dst overlap");
  return j;
}

Packed Arrays(Napi::Env env, Napi::Value ints, Napi::Value floats, size_t jobs) {
  if (!ints.IsTypedArray() || ints.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      !floats.IsTypedArray() || floats.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(env, "packed jobs must be an Int32Array and a Float64Array");
  Napi::Int32Array i = ints.As<Napi::Int32Array>();
  Napi::Float64Array f = floats.As<Napi::Float64Array>();
  if (i.ElementLength() < jobs * kIntsPerJob || f.ElementLength() < jobs * kFloatsPerJob)
    throw Napi::RangeError::New(env, "packed job arrays are too short");
  return {i.Data(), f.Data()};
}

// Runs every job, rows split into tasks over the pool. Returns "" or what went wrong.
std::string RunJobs(const std::vector<Job>& jobs) {
  std::vector<Plan> plans;
  plans.reserve(jobs.size());
  size_t elements = 0;
  try {
    for (const Job& j : jobs) {
      plans.emplace_back(j);
      elements += JobElements(j);
    }
  } catch (const std::bad_alloc&) {
    return "out of memory while planning the preprocessing jobs";
  }
  const int threads = elements < kParallelElements ? 1 : PoolThreads();
  // A few tasks per thread so that a slow thread (or one busy with padding rows, which cost
  // almost nothing) does not hold the others up; never fewer than 8 rows, as each task starts
  // with an empty row cache.
  struct Task {
    int plan, row0, row1;
  };
  std::vector<Task> tasks;
  for (size_t k = 0; k < plans.size(); k++) {
    const int rows = plans[k].outHeight();
    const int perTask =
        threads == 1 ? rows : std::max(8, (rows * static_cast<int>(plans.size()) + 3 * threads - 1) / (3 * threads));
    for (int r = 0; r < rows; r += perTask)
      tasks.push_back({static_cast<int>(k), r, std::min(rows, r + perTask)});
  }
  std::atomic<bool> failed{false};
  auto run = [&](int t) {
    try {
      plans[tasks[t].plan].RunRows(tasks[t].row0, tasks[t].row1);
    } catch (...) {
      failed.store(true);
    }
  };
  if (threads == 1) {
    for (size_t t = 0; t < tasks.size(); t++) run(static_cast<int>(t));
  } else {
    ParallelFor(static_cast<int>(tasks.size()), run);
  }
  return failed.load() ? "out of memory while running the preprocessing kernel" : "";
}

// run(src, dst, ints, floats): one job, on the calling thread (and the pool for large outputs).
Napi::Value Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4) throw Napi::TypeError::New(env, "run(src, dst, ints, floats)");
  const Packed packed = Arrays(env, info[2], info[3], 1);
  std::vector<Job> jobs{Unpack(env, packed, 0, info[0], info[1])};
  const std::string error = RunJobs(jobs);
  if (!error.empty()) throw Napi::Error::New(env, error);
  return env.Undefined();
}

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::vector<Job> jobs, std::vector<Napi::ObjectReference> keep)
      : Napi::AsyncWorker(env, "edge-preprocess:runAsync"),
        deferred_(Napi::Promise::Deferred::New(env)),
        jobs_(std::move(jobs)),
        keep_(std::move(keep)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    const std::string error = RunJobs(jobs_);
    if (!error.empty()) SetError(error);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<Job> jobs_;
  // The typed arrays the jobs point into, held until the worker is deleted on the main thread, so
  // the garbage collector cannot free them while a thread writes into them.
  std::vector<Napi::ObjectReference> keep_;
};

// runAsync(srcs, dsts, ints, floats): every job off the main thread; resolves when all are written.
Napi::Value RunAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsArray() || !info[1].IsArray())
    throw Napi::TypeError::New(env, "runAsync(srcs, dsts, ints, floats)");
  Napi::Array srcs = info[0].As<Napi::Array>();
  Napi::Array dsts = info[1].As<Napi::Array>();
  const size_t count = srcs.Length();
  if (dsts.Length() != count) throw Napi::RangeError::New(env, "srcs and dsts differ in length");
  const Packed packed = Arrays(env, info[2], info[3], count);
  std::vector<Job> jobs;
  std::vector<Napi::ObjectReference> keep;
  jobs.reserve(count);
  keep.reserve(2 * count);
  for (uint32_t k = 0; k < count; k++) {
    Napi::Value src = srcs[k];
    Napi::Value dst = dsts[k];
    jobs.push_back(Unpack(env, packed, k, src, dst));
    keep.push_back(Napi::Persistent(src.As<Napi::Object>()));
    keep.push_back(Napi::Persistent(dst.As<Napi::Object>()));
  }
  auto* worker = new RunWorker(env, std::move(jobs), std::move(keep));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("run", Napi::Function::New(env, Run, "run"));
  exports.Set("runAsync", Napi::Function::New(env, RunAsync, "runAsync"));
  exports.Set("threads", Napi::Number::New(env, PoolThreads()));
  exports.Set("simd", Napi::String::New(env, SimdName()));
  exports.Set("intsPerJob", Napi::Number::New(env, kIntsPerJob));
  exports.Set("floatsPerJob", Napi::Number::New(env, kFloatsPerJob));
  return exports;
}

}  // namespace
}  // namespace edge_preprocess

// The macro pastes its second argument into a name, so it needs an unqualified function.
static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return edge_preprocess::Init(env, exports); }

NODE_API_MODULE(edge_preprocess, InitModule)
