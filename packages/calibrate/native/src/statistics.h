// Activation statistics over float32 arrays: one pass that takes a tensor's extremes and adds its
// values to a histogram of |x|, as the TypeScript kernel of src/statistics-kernel.ts (the
// reference; the tests compare the two bin for bin) does.

#ifndef EDGE_CALIBRATE_STATISTICS_H_
#define EDGE_CALIBRATE_STATISTICS_H_

#include <cstddef>

namespace edge_calibrate {

// What one pass found. Bin k of a histogram with bin width w holds |x| in [k w, (k + 1) w).
struct PassResult {
  double min;        // smallest finite value (+inf when none)
  double max;        // largest finite value (-inf when none)
  double absMax;     // largest finite |x| (0 when none)
  double nonFinite;  // NaN and infinite values
  double clamped;    // finite values binned with |x| > limit
  double over;       // finite values binned whose bin, floor(|x| * inv), is past the last one
};

// Takes the extremes of `n` values and, when `bins` > 0, adds every finite value whose bin
// k = floor(|x| * inv) is at least `fromBin` to counts[min(k, bins - 1)].
PassResult Accumulate(const float* values, size_t n, double* counts, size_t bins, double inv, double limit,
                      double fromBin);

}  // namespace edge_calibrate

#endif  // EDGE_CALIBRATE_STATISTICS_H_
