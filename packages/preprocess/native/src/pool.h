// A small process-wide pool of worker threads for splitting output rows. Threads are started on
// first use and never stopped: the pool is deliberately leaked, because joining threads from a
// static destructor at process exit (or after a Node environment is torn down) can hang or abort.

#ifndef EDGE_PREPROCESS_POOL_H_
#define EDGE_PREPROCESS_POOL_H_

#include <functional>

namespace edge_preprocess {

// Threads that work on one call, the calling thread included: hardware_concurrency() capped at
// kMaxThreads, or EDGE_PREPROCESS_THREADS when set (1 disables the workers).
int PoolThreads();

constexpr int kMaxThreads = 8;

// Runs task(i) for every i in [0, count), on the workers and the calling thread, and returns
// when all are done. When another call holds the workers, this one runs its tasks on the calling
// thread alone rather than waiting: two callers (two libuv threads) never deadlock or queue.
// Tasks must not throw.
void ParallelFor(int count, const std::function<void(int)>& task);

}  // namespace edge_preprocess

#endif  // EDGE_PREPROCESS_POOL_H_
