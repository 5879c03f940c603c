// Node-API surface of the statistics kernel (loaded by src/statistics-kernel.ts; the checks here
// guard memory safety only). accumulate(arrays, counts, params) takes the float32 arrays of one run
// (one per tensor) with a Float64Array of counts each (empty: extremes only) and 3 params each
// (1 / bin width, the range past which a value is clamped, the first bin counted), shares the
// arrays out over threads, largest first, one thread per array (no two threads write the same
// counts), and returns 6 numbers per array: see PassResult in statistics.h. accumulateAsync does
// the same on libuv's thread pool and returns a promise of them.

#include <napi.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <numeric>
#include <thread>
#include <vector>

#include "statistics.h"

namespace edge_calibrate {
namespace {

constexpr int kMaxThreads = 8;
constexpr size_t kParams = 3;
constexpr size_t kResults = 6;
// Below this many values in all, threads cost more than they save.
constexpr size_t kParallelValues = size_t{1} << 18;

int Threads() {
  static const int threads = [] {
    const char* env = std::getenv("EDGE_CALIBRATE_THREADS");
    int n = env ? std::atoi(env) : static_cast<int>(std::thread::hardware_concurrency());
    return std::clamp(n, 1, kMaxThreads);
  }();
  return threads;
}

struct Span {
  const float* data;
  size_t length;
};

std::vector<Span> Arrays(Napi::Env env, Napi::Value value) {
  if (!value.IsArray()) throw Napi::TypeError::New(env, "arrays must be an array of Float32Array");
  Napi::Array list = value.As<Napi::Array>();
  std::vector<Span> spans(list.Length());
  for (uint32_t k = 0; k < list.Length(); k++) {
    Napi::Value v = list[k];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env, "arrays must be an array of Float32Array");
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    spans[k] = {a.Data(), a.ElementLength()};
  }
  return spans;
}

// Runs task(k) for every array, largest first, on up to Threads() threads (the caller's included).
template <typename Task>
void ForEachArray(const std::vector<Span>& spans, const Task& task) {
  std::vector<size_t> order(spans.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return spans[a].length > spans[b].length; });
  size_t total = 0;
  for (const Span& s : spans) total += s.length;
  const int threads = total < kParallelValues ? 1 : std::min<int>(Threads(), static_cast<int>(spans.size()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < order.size(); i = next++) task(order[i]);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; t++) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

// The arguments of one accumulate call, checked, with what the threads read and write.
struct Job {
  std::vector<Span> spans;
  std::vector<double*> counts;
  std::vector<size_t> bins;
  std::vector<double> params;
  std::vector<double> results;

  Job(const Napi::CallbackInfo& info) : spans(Arrays(info.Env(), info[0])) {
    Napi::Env env = info.Env();
    if (!info[1].IsArray() || info[1].As<Napi::Array>().Length() != spans.size())
      throw Napi::TypeError::New(env, "counts must be an array of Float64Array, one per array");
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        info[2].As<Napi::Float64Array>().ElementLength() != kParams * spans.size())
      throw Napi::TypeError::New(env, "params must be a Float64Array of 3 per array");
    Napi::Array countList = info[1].As<Napi::Array>();
    for (uint32_t k = 0; k < spans.size(); k++) {
      Napi::Value v = countList[k];
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
        throw Napi::TypeError::New(env, "counts must be an array of Float64Array, one per array");
      Napi::Float64Array c = v.As<Napi::Float64Array>();
      counts.push_back(c.Data());
      bins.push_back(c.ElementLength());
    }
    const double* p = info[2].As<Napi::Float64Array>().Data();
    params.assign(p, p + kParams * spans.size());
    results.resize(kResults * spans.size());
  }

  void Run() {
    ForEachArray(spans, [&](size_t k) {
      const double* p = params.data() + kParams * k;
      PassResult r = Accumulate(spans[k].data, spans[k].length, counts[k], bins[k], p[0], p[1], p[2]);
      double* d = results.data() + kResults * k;
      d[0] = r.min;
      d[1] = r.max;
      d[2] = r.absMax;
      d[3] = r.nonFinite;
      d[4] = r.clamped;
      d[5] = r.over;
    });
  }

  Napi::Float64Array Results(Napi::Env env) const {
    Napi::Float64Array out = Napi::Float64Array::New(env, results.size());
    std::copy(results.begin(), results.end(), out.Data());
    return out;
  }
};

Napi::Value AccumulateNow(const Napi::CallbackInfo& info) {
  Job job(info);
  job.Run();
  return job.Results(info.Env());
}

// Runs a job on libuv's thread pool; the arrays, counts and params are held until it is done.
class AccumulateWorker : public Napi::AsyncWorker {
 public:
  AccumulateWorker(const Napi::CallbackInfo& info)
      : Napi::AsyncWorker(info.Env(), "edge_calibrate.accumulate"),
        job_(info),
        deferred_(Napi::Promise::Deferred::New(info.Env())) {
    for (size_t k = 0; k < 3; k++) held_.push_back(Napi::Persistent(info[k]));
  }
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override { job_.Run(); }
  void OnOK() override { deferred_.Resolve(job_.Results(Env())); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Job job_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::Reference<Napi::Value>> held_;
};

Napi::Value AccumulateAsync(const Napi::CallbackInfo& info) {
  auto* worker = new AccumulateWorker(info);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("accumulate", Napi::Function::New(env, AccumulateNow, "accumulate"));
  exports.Set("accumulateAsync", Napi::Function::New(env, AccumulateAsync, "accumulateAsync"));
  exports.Set("threads", Napi::Number::New(env, Threads()));
  exports.Set("version", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace
}  // namespace edge_calibrate

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return edge_calibrate::Init(env, exports); }

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitAddon)
