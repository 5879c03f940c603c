#include "statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif

namespace edge_calibrate {
namespace {

// Values are binned into `kLanes` interleaved uint32 sub-histograms, so that equal consecutive
// bins (a tensor after Relu is mostly zeros) do not wait on one another's increment; each has one
// extra slot past the last bin that takes what is not counted (NaN, infinities, bins below fromBin).
constexpr size_t kLanes = 4;
// The sub-histograms are 32-bit: a pass over more values than this is split.
constexpr size_t kRun = size_t{1} << 30;
// Wider histograms (grown by later batches), or fewer values than lanes x bins, are counted
// straight into the doubles: zeroing and summing sub-histograms would cost more.
constexpr size_t kMaxSubBins = size_t{1} << 16;

constexpr float kInf = std::numeric_limits<float>::infinity();

struct Totals {
  float lo = kInf;
  float hi = -kInf;
  size_t bad = 0;
  size_t clamped = 0;
  size_t over = 0;
};

// The bin of one value, or `dump` when it is not counted; updates the totals.
inline size_t Bin(float v, Totals& t, size_t last, size_t dump, double inv, double limit, double fromBin) {
  const bool finite = (v - v) == 0.0f;
  if (!finite) {
    t.bad++;
    return dump;
  }
  t.lo = v < t.lo ? v : t.lo;
  t.hi = v > t.hi ? v : t.hi;
  const double a = std::fabs(static_cast<double>(v));
  const double k = std::floor(a * inv);
  if (k < fromBin) return dump;
  t.clamped += a > limit;
  t.over += k > static_cast<double>(last);
  return k < static_cast<double>(last) ? static_cast<size_t>(k) : last;
}

void ExtremesOnly(const float* p, size_t n, Totals& t) {
  size_t i = 0;
#if defined(__SSE4_1__)
  __m128 lo = _mm_set1_ps(kInf);
  __m128 hi = _mm_set1_ps(-kInf);
  __m128i bad = _mm_setzero_si128();
  const __m128 inf = _mm_set1_ps(kInf);
  const __m128 ninf = _mm_set1_ps(-kInf);
  // int32 lane counters: flushed before they could wrap.
  size_t flushAt = size_t{1} << 30;
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_loadu_ps(p + i);
    const __m128 finite = _mm_cmpeq_ps(_mm_sub_ps(v, v), _mm_setzero_ps());
    lo = _mm_min_ps(lo, _mm_blendv_ps(inf, v, finite));
    hi = _mm_max_ps(hi, _mm_blendv_ps(ninf, v, finite));
    bad = _mm_sub_epi32(bad, _mm_castps_si128(_mm_cmpneq_ps(_mm_sub_ps(v, v), _mm_setzero_ps())));
    if (i >= flushAt) {
      alignas(16) int32_t b[4];
      _mm_store_si128(reinterpret_cast<__m128i*>(b), bad);
      t.bad += static_cast<size_t>(b[0]) + b[1] + b[2] + b[3];
      bad = _mm_setzero_si128();
      flushAt += size_t{1} << 30;
    }
  }
  alignas(16) float l[4];
  alignas(16) float h[4];
  alignas(16) int32_t b[4];
  _mm_store_ps(l, lo);
  _mm_store_ps(h, hi);
  _mm_store_si128(reinterpret_cast<__m128i*>(b), bad);
  for (int j = 0; j < 4; j++) {
    t.lo = l[j] < t.lo ? l[j] : t.lo;
    t.hi = h[j] > t.hi ? h[j] : t.hi;
    t.bad += static_cast<size_t>(b[j]);
  }
#endif
  for (; i < n; i++) {
    const float v = p[i];
    if ((v - v) != 0.0f) {
      t.bad++;
      continue;
    }
    t.lo = v < t.lo ? v : t.lo;
    t.hi = v > t.hi ? v : t.hi;
  }
}

// Bins groups of kLanes values into the sub-histograms (lane l takes the l-th value of each
// group) and returns how many values it took; the caller bins the rest with Bin().
size_t BinLanes(const float* p, size_t n, uint32_t* sub, size_t stride, Totals& t, double inv, double limit,
                double fromBin) {
  size_t i = 0;
  const size_t last = stride - 2;
  const size_t dump = stride - 1;
#if defined(__SSE4_1__)
  static_assert(kLanes == 4, "one SSE vector of floats per group");
  __m128 lo = _mm_set1_ps(kInf);
  __m128 hi = _mm_set1_ps(-kInf);
  const __m128 inf = _mm_set1_ps(kInf);
  const __m128 ninf = _mm_set1_ps(-kInf);
  const __m128 sign = _mm_set1_ps(-0.0f);
  const __m128d vinv = _mm_set1_pd(inv);
  const __m128d vlimit = _mm_set1_pd(limit);
  const __m128d vfrom = _mm_set1_pd(fromBin);
  const __m128d vlast = _mm_set1_pd(static_cast<double>(last));
  const __m128d vdump = _mm_set1_pd(static_cast<double>(dump));
  alignas(16) int32_t k[4];
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_loadu_ps(p + i);
    const __m128 finite = _mm_cmpeq_ps(_mm_sub_ps(v, v), _mm_setzero_ps());
    const int finiteBits = _mm_movemask_ps(finite);
    lo = _mm_min_ps(lo, _mm_blendv_ps(inf, v, finite));
    hi = _mm_max_ps(hi, _mm_blendv_ps(ninf, v, finite));
    const __m128 a = _mm_andnot_ps(sign, v);
    // Bins in double, as the TypeScript kernel computes them, so both agree at every bin edge.
    const __m128d a0 = _mm_cvtps_pd(a);
    const __m128d a1 = _mm_cvtps_pd(_mm_movehl_ps(a, a));
    const __m128d k0 = _mm_floor_pd(_mm_mul_pd(a0, vinv));
    const __m128d k1 = _mm_floor_pd(_mm_mul_pd(a1, vinv));
    // Counted: finite and not below fromBin (a NaN bin compares false).
    const __m128d ok0 = _mm_and_pd(_mm_castps_pd(_mm_unpacklo_ps(finite, finite)), _mm_cmpge_pd(k0, vfrom));
    const __m128d ok1 = _mm_and_pd(_mm_castps_pd(_mm_unpackhi_ps(finite, finite)), _mm_cmpge_pd(k1, vfrom));
    const int counted = _mm_movemask_pd(ok0) | (_mm_movemask_pd(ok1) << 2);
    t.bad += 4 - __builtin_popcount(finiteBits);
    t.clamped += __builtin_popcount(
        counted & (_mm_movemask_pd(_mm_cmpgt_pd(a0, vlimit)) | (_mm_movemask_pd(_mm_cmpgt_pd(a1, vlimit)) << 2)));
    t.over += __builtin_popcount(
        counted & (_mm_movemask_pd(_mm_cmpgt_pd(k0, vlast)) | (_mm_movemask_pd(_mm_cmpgt_pd(k1, vlast)) << 2)));
    const __m128d d0 = _mm_blendv_pd(vdump, _mm_min_pd(k0, vlast), ok0);
    const __m128d d1 = _mm_blendv_pd(vdump, _mm_min_pd(k1, vlast), ok1);
    _mm_store_si128(reinterpret_cast<__m128i*>(k),
                    _mm_unpacklo_epi64(_mm_cvttpd_epi32(d0), _mm_cvttpd_epi32(d1)));
    sub[k[0]]++;
    sub[stride + k[1]]++;
    sub[2 * stride + k[2]]++;
    sub[3 * stride + k[3]]++;
  }
  alignas(16) float l[4];
  alignas(16) float h[4];
  _mm_store_ps(l, lo);
  _mm_store_ps(h, hi);
  for (int j = 0; j < 4; j++) {
    t.lo = l[j] < t.lo ? l[j] : t.lo;
    t.hi = h[j] > t.hi ? h[j] : t.hi;
  }
#else
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t l = 0; l < kLanes; l++) sub[l * stride + Bin(p[i + l], t, last, dump, inv, limit, fromBin)]++;
  }
#endif
  return i;
}

}  // namespace

PassResult Accumulate(const float* values, size_t n, double* counts, size_t bins, double inv, double limit,
                      double fromBin) {
  Totals t;
  if (bins == 0) {
    ExtremesOnly(values, n, t);
  } else if (bins > kMaxSubBins || bins * kLanes > n) {
    for (size_t i = 0; i < n; i++) {
      const size_t k = Bin(values[i], t, bins - 1, bins, inv, limit, fromBin);
      if (k < bins) counts[k] += 1;
    }
  } else {
    const size_t stride = bins + 1;
    std::vector<uint32_t> sub(kLanes * stride);
    for (size_t start = 0; start < n; start += kRun) {
      const size_t len = std::min(n - start, kRun);
      const float* p = values + start;
      std::fill(sub.begin(), sub.end(), 0);
      size_t i = BinLanes(p, len, sub.data(), stride, t, inv, limit, fromBin);
      for (; i < len; i++) sub[Bin(p[i], t, bins - 1, bins, inv, limit, fromBin)]++;
      for (size_t l = 0; l < kLanes; l++) {
        const uint32_t* s = sub.data() + l * stride;
        for (size_t k = 0; k < bins; k++) counts[k] += s[k];
      }
    }
  }
  PassResult r{t.lo, t.hi, 0, static_cast<double>(t.bad), static_cast<double>(t.clamped),
               static_cast<double>(t.over)};
  if (t.bad < n) r.absMax = std::fmax(-static_cast<double>(t.lo), static_cast<double>(t.hi));
  return r;
}

}  // namespace edge_calibrate
