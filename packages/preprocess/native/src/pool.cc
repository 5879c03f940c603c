#include "pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

// The prebuilt addons are built with Debian 12's GCC 12 and must load with the older libstdc++ of
// the devices they are for (Debian 10 on the Coral board, Ubuntu 20.04 under JetPack 5):
// scripts/build-native.mjs refuses a binary that needs a newer symbol version. GCC 12 gave
// condition_variable::wait a new version (GLIBCXX_3.4.30, so that thread cancellation can unwind
// through it); the GCC 4.6 one is still exported and is the same wait for threads that are never
// cancelled, as here. For the same reason the pool's "busy" flag is an atomic, not a try-locked
// mutex: glibc 2.34 re-versioned pthread_mutex_trylock.
#if defined(__GLIBCXX__) && defined(__linux__) && defined(_GLIBCXX_RELEASE) && _GLIBCXX_RELEASE >= 12
__asm__(
    ".symver _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE,"
    "_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
#endif

namespace edge_preprocess {
namespace {

// Tasks are claimed from one 64-bit word: the call's generation in the high half, the next task
// index in the low half. A worker that wakes late, after its call has finished (or while a later
// call runs), fails to claim because the generation moved on, so it can never run a task that is
// gone; and the caller waits only for tasks that were claimed, never for a worker to wake up,
// which on a loaded machine can take far longer than the work itself.
class Pool {
 public:
  explicit Pool(int threads) : workers_(threads - 1) {
    for (int i = 0; i < workers_; i++) std::thread([this] { Work(); }).detach();
  }

  int workers() const { return workers_; }

  void Run(int count, const std::function<void(int)>& task) {
    if (workers_ == 0 || count <= 1 || busy_.exchange(true, std::memory_order_acquire)) {
      for (int i = 0; i < count; i++) task(i);
      return;
    }
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation = ++generation_;
      task_ = &task;
      count_ = count;
      done_.store(0);
      state_.store(generation << 32);
    }
    wake_.notify_all();
    Drain(generation, task, count);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      finished_.wait(lock, [&] { return done_.load() == count; });
    }
    busy_.store(false, std::memory_order_release);
  }

 private:
  // Claims and runs tasks of `generation` until none is left.
  void Drain(uint64_t generation, const std::function<void(int)>& task, int count) {
    for (;;) {
      uint64_t state = state_.load();
      int index;
      do {
        if ((state >> 32) != generation) return;
        index = static_cast<int>(state & 0xffffffffu);
        if (index >= count) return;
      } while (!state_.compare_exchange_weak(state, state + 1));
      task(index);
      if (done_.fetch_add(1) + 1 == count) {
        std::lock_guard<std::mutex> lock(mutex_);
        finished_.notify_all();
      }
    }
  }

  void Work() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      // Copied under the lock: valid for as long as a task of this generation can be claimed.
      const std::function<void(int)>* task = task_;
      const int count = count_;
      lock.unlock();
      Drain(seen, *task, count);
      lock.lock();
    }
  }

  const int workers_;
  std::atomic<bool> busy_{false};  // set by the one caller that owns the workers
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  uint64_t generation_ = 0;
  const std::function<void(int)>* task_ = nullptr;
  int count_ = 0;
  std::atomic<uint64_t> state_{0};
  std::atomic<int> done_{0};
};

int ConfiguredThreads() {
  if (const char* env = std::getenv("EDGE_PREPROCESS_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return std::min(n, kMaxThreads);
  }
  const int hw = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, std::min(hw, kMaxThreads));
}

Pool& Instance() {
  static Pool* pool = new Pool(ConfiguredThreads());
  return *pool;
}

}  // namespace

int PoolThreads() { return Instance().workers() + 1; }

void ParallelFor(int count, const std::function<void(int)>& task) { Instance().Run(count, task); }

}  // namespace edge_preprocess
