// See kernel.h. Every resampling formula below reproduces OpenCV 4.x's cv::resize on 8-bit images
// (modules/imgproc/src/resize.cpp) operation for operation, including its float roundings, because
// the promise is "the same tensor as an OpenCV pipeline", not "a bilinear resize". The file is
// compiled with -ffp-contract=off: a fused multiply-add would round differently from OpenCV's and
// from the TypeScript kernel's separate multiply and add.

#include "kernel.h"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>

#if defined(__SSSE3__)
#include <tmmintrin.h>
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__ARM_NEON)
#include <arm_neon.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace edge_preprocess {
namespace {

// OpenCV's INTER_RESIZE_COEF_BITS: bilinear weights are integers scaled by 2^11.
constexpr int kCoefBits = 11;
constexpr int kCoefScale = 1 << kCoefBits;
// Largest image side the kernel accepts; keeps every in-row offset far inside int32.
constexpr int kMaxSide = kMaxImageSide;

// cvFloor for a double or a float.
inline int FloorInt(double v) { return static_cast<int>(std::floor(v)); }
// cvRound: round half to even (the default rounding mode, as _mm_cvtsd_si32 uses it).
inline int RoundInt(double v) { return static_cast<int>(std::nearbyint(v)); }

inline int16_t SaturateShort(float v) {
  const int i = RoundInt(v);
  return static_cast<int16_t>(std::min(std::max(i, SHRT_MIN), SHRT_MAX));
}

inline uint8_t SaturateU8(int v) { return static_cast<uint8_t>(std::min(std::max(v, 0), 255)); }

// saturate_cast<uchar>(float): cvRound, then clamp.
inline uint8_t SaturateU8(float v) {
  if (!(v > -1.0f)) return 0;  // also NaN, which OpenCV cannot produce here
  if (v >= 256.0f) return 255;
  return SaturateU8(RoundInt(v));
}

// IEEE half bits of a number, rounded once from its exact value (ties to even), as @edge/core's
// float32ToFloat16Bits does.
uint16_t HalfBits(double x) {
  if (std::isnan(x)) return 0x7e00;
  const uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  const double a = std::fabs(x);
  if (a >= 65520.0) return sign | 0x7c00;
  auto roundEven = [](double scaled) {
    const double m = std::floor(scaled);
    const double rest = scaled - m;
    uint32_t mi = static_cast<uint32_t>(m);
    if (rest > 0.5 || (rest == 0.5 && (mi & 1u) != 0)) mi += 1;
    return mi;
  };
  if (a < 6.103515625e-05) {  // below 2^-14: subnormal half m * 2^-24, m may round up to 0x400
    return static_cast<uint16_t>(sign | roundEven(a * 16777216.0));
  }
  int e = 0;
  std::frexp(a, &e);  // a = f * 2^e, f in [0.5, 1): the half exponent is e - 1
  const uint32_t m = roundEven(std::ldexp(a, 11 - e));  // in [1024, 2048]; 2048 carries into the exponent
  return static_cast<uint16_t>(sign | ((static_cast<uint32_t>(e - 1 + 15) << 10) + (m - 1024)));
}

// The stored element of a normalised value. As in the TypeScript kernel (convert.ts), the value
// is first rounded to float32, the precision of the tensor a float pipeline would hold, and the
// narrower types are made from that float.
template <typename T>
T Convert(float v, const Job& job);

template <>
float Convert<float>(float v, const Job&) {
  return v;
}
template <>
uint16_t Convert<uint16_t>(float v, const Job&) {
  return HalfBits(v);
}
template <>
uint8_t Convert<uint8_t>(float v, const Job& job) {
  const double q = std::nearbyint(static_cast<double>(v) / job.quantScale) + job.quantZeroPoint;
  return static_cast<uint8_t>(std::min(std::max(q, 0.0), 255.0));
}
template <>
int8_t Convert<int8_t>(float v, const Job& job) {
  const double q = std::nearbyint(static_cast<double>(v) / job.quantScale) + job.quantZeroPoint;
  return static_cast<int8_t>(std::min(std::max(q, -128.0), 127.0));
}

// The resize coefficients of cv::resize for INTER_LINEAR (and INTER_AREA when it upsamples on
// an axis, "area mode"), for one axis: source index and the two 11-bit weights per output index.
// `clampX` applies what OpenCV does for columns only: a column left of the first pixel or right
// of the last takes that pixel with weight 1. Rows keep their weights, with the row indices
// clamped later; both give the same pixels, but the vertical rounding depends on the weights.
void LinearAxis(int ssize, int dsize, bool areaMode, bool clampX, std::vector<int32_t>& index,
                std::vector<int16_t>& weights) {
  const double invScale = static_cast<double>(dsize) / ssize;
  const double scale = 1.0 / invScale;
  index.resize(dsize);
  weights.resize(2 * static_cast<size_t>(dsize));
  for (int d = 0; d < dsize; d++) {
    int s;
    float f;
    if (!areaMode) {
      f = static_cast<float>((d + 0.5) * scale - 0.5);
      s = FloorInt(f);
      f -= static_cast<float>(s);
    } else {
      s = FloorInt(d * scale);
      f = static_cast<float>((d + 1) - (s + 1) * invScale);
      f = f <= 0 ? 0.f : f - static_cast<float>(FloorInt(f));
    }
    if (clampX) {
      if (s < 0) f = 0, s = 0;
      if (s >= ssize - 1) f = 0, s = ssize - 1;
    }
    index[d] = s;
    const float c0 = 1.f - f;
    weights[2 * d] = SaturateShort(c0 * kCoefScale);
    weights[2 * d + 1] = SaturateShort(f * kCoefScale);
  }
}

// Whether this CPU has the vector unit the file was compiled for. x86-64-v2 guarantees SSSE3 and
// ARMv8-A guarantees Advanced SIMD, so this is true wherever the addon loads at all; it is asked
// anyway so that the choice rests on the CPU, not on the build alone.
bool CpuHasSimd() {
#if defined(__SSSE3__) && (defined(__GNUC__) || defined(__clang__))
  // Asked from a static initialiser, which may run before libgcc's own: initialise it first.
  __builtin_cpu_init();
  return __builtin_cpu_supports("ssse3");
#elif defined(__ARM_NEON) && defined(__aarch64__) && defined(__linux__)
  return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
#elif defined(__ARM_NEON)
  return true;
#else
  return false;
#endif
}

// Chosen once per process: EDGE_PREPROCESS_SIMD=off runs the portable C++ loops instead, which
// give the same bytes (the tests compare both paths in one build).
bool ChooseSimd() {
  const char* env = std::getenv("EDGE_PREPROCESS_SIMD");
  if (env != nullptr && (std::strcmp(env, "off") == 0 || std::strcmp(env, "0") == 0)) return false;
  return CpuHasSimd();
}

const bool kUseSimd = ChooseSimd();

}  // namespace

const char* SimdName() {
#if defined(__SSSE3__)
  constexpr const char* kCompiled = "sse4.2 (x86-64-v2)";
#elif defined(__ARM_NEON)
  constexpr const char* kCompiled = "neon (armv8-a)";
#else
  constexpr const char* kCompiled = nullptr;
#endif
  if (kCompiled == nullptr) return "none (portable C++, compiler vectorisation only)";
  if (!kUseSimd) {
    return CpuHasSimd() ? "none (portable C++: disabled by EDGE_PREPROCESS_SIMD)"
                        : "none (portable C++: this CPU lacks the vector unit)";
  }
  return kCompiled;
}

size_t JobElements(const Job& job) {
  return static_cast<size_t>(job.channels) * static_cast<size_t>(job.outWidth) *
         static_cast<size_t>(job.outHeight);
}

std::string CheckJob(const Job& j) {
  auto side = [](int v) { return v >= 1 && v <= kMaxSide; };
  if (j.src == nullptr || j.dst == nullptr) return "missing source or destination data";
  if (!side(j.srcWidth) || !side(j.srcHeight)) return "source size out of range";
  if (j.srcChannels != 1 && j.srcChannels != 3 && j.srcChannels != 4) return "srcChannels must be 1, 3 or 4";
  if (j.srcStride < j.srcWidth * j.srcChannels) return "srcStride smaller than a row";
  const size_t need = static_cast<size_t>(j.srcHeight - 1) * static_cast<size_t>(j.srcStride) +
                      static_cast<size_t>(j.srcWidth) * static_cast<size_t>(j.srcChannels);
  if (j.srcLength < need) return "source shorter than srcHeight rows of srcStride bytes";
  const Rect& s = j.srcRect;
  if (s.x < 0 || s.y < 0 || !side(s.width) || !side(s.height) || s.x > j.srcWidth - s.width ||
      s.y > j.srcHeight - s.height)
    return "srcRect outside the source";
  if (!side(j.outWidth) || !side(j.outHeight)) return "output size out of range";
  // dstRect may extend past the output on any side (a crop after the resize): only the part
  // inside is written.
  const Rect& d = j.dstRect;
  if (!side(d.width) || !side(d.height) || d.x < -kMaxSide || d.x > kMaxSide || d.y < -kMaxSide ||
      d.y > kMaxSide)
    return "dstRect out of range";
  if (j.interpolation < kBilinear || j.interpolation > kArea) return "unknown interpolation";
  if (j.layout != kNCHW && j.layout != kNHWC) return "unknown layout";
  if (j.dtype < kFloat32 || j.dtype > kInt8) return "unknown dtype";
  if (j.channels < 1 || j.channels > 4) return "channelMap must have 1 to 4 entries";
  for (int c = 0; c < j.channels; c++) {
    if (j.channelMap[c] < 0 || j.channelMap[c] >= j.srcChannels) return "channelMap entry out of range";
    if (!std::isfinite(j.mul[c]) || !std::isfinite(j.add[c]) || !std::isfinite(j.pad[c]))
      return "mul, add and pad must be finite";
  }
  if (!(j.quantScale > 0) || !std::isfinite(j.quantScale)) return "quantScale must be positive";
  if (!std::isfinite(j.quantZeroPoint) || j.quantZeroPoint != std::floor(j.quantZeroPoint))
    return "quantZeroPoint must be an integer";
  const size_t elements = JobElements(j);
  if (j.dstOffset > j.dstLength || j.dstLength - j.dstOffset < elements)
    return "destination too short for the output at dstOffset";
  return "";
}

Plan::Plan(const Job& job) : job_(job), cn_(job.srcChannels) {
  const int sw = job.srcRect.width, sh = job.srcRect.height;
  const int dw = job.dstRect.width, dh = job.dstRect.height;

  // As cv::resize resolves the method: the scales are computed as 1 / (dsize / ssize), which is
  // not always sw / dw to the last bit, and integer scale factors switch INTER_AREA (and a 2x2
  // INTER_LINEAR) to block averaging. The 2x2 INTER_LINEAR case is left on the linear path: its
  // weights are exactly 1/2 and both formulas give (a + b + c + d + 2) >> 2.
  const double scaleX = 1.0 / (static_cast<double>(dw) / sw);
  const double scaleY = 1.0 / (static_cast<double>(dh) / sh);
  const int iscaleX = RoundInt(scaleX), iscaleY = RoundInt(scaleY);
  const bool areaFast = std::fabs(scaleX - iscaleX) < DBL_EPSILON && std::fabs(scaleY - iscaleY) < DBL_EPSILON;
  bool areaMode = false;
  if (job.interpolation == kNearest) {
    method_ = Method::kNearest;
  } else if (job.interpolation == kArea && scaleX >= 1 && scaleY >= 1) {
    method_ = areaFast ? Method::kAreaFast : Method::kArea;
  } else {
    method_ = Method::kLinear;
    areaMode = job.interpolation == kArea;  // OpenCV's INTER_AREA when upsampling on an axis
  }

  switch (method_) {
    case Method::kLinear: {
      std::vector<int32_t> sx;
      LinearAxis(sw, dw, areaMode, true, sx, alpha_);
      xofs0_.resize(dw);
      xofs1_.resize(dw);
      for (int d = 0; d < dw; d++) {
        xofs0_[d] = sx[d] * cn_;
        xofs1_[d] = std::min(sx[d] + 1, sw - 1) * cn_;
      }
      // The 8-byte loads of the SIMD horizontal pass need the two pixels adjacent and must stay
      // inside the region's row; both hold on a prefix of the columns (offsets only grow).
      while (vecColumns_ < dw && xofs1_[vecColumns_] == xofs0_[vecColumns_] + cn_ &&
             xofs0_[vecColumns_] + 8 <= sw * cn_)
        vecColumns_++;
      std::vector<int32_t> sy;
      LinearAxis(sh, dh, areaMode, false, sy, beta_);
      yofs0_.resize(dh);
      yofs1_.resize(dh);
      for (int d = 0; d < dh; d++) {
        yofs0_[d] = std::min(std::max(sy[d], 0), sh - 1);
        yofs1_[d] = std::min(std::max(sy[d] + 1, 0), sh - 1);
      }
      break;
    }
    case Method::kNearest: {
      const double ifx = 1.0 / (static_cast<double>(dw) / sw);
      const double ify = 1.0 / (static_cast<double>(dh) / sh);
      nnX_.resize(dw);
      nnY_.resize(dh);
      for (int d = 0; d < dw; d++) nnX_[d] = std::min(FloorInt(d * ifx), sw - 1) * cn_;
      for (int d = 0; d < dh; d++) nnY_[d] = std::min(FloorInt(d * ify), sh - 1);
      break;
    }
    case Method::kAreaFast:
      areaX_ = iscaleX;
      areaY_ = iscaleY;
      break;
    case Method::kArea: {
      // computeResizeAreaTab: each output cell covers `scale` source pixels; partly covered
      // edge pixels get their share. Weights are floats divided by the cell's width.
      auto table = [](int ssize, int dsize, double scale, std::vector<Decimate>& tab) {
        tab.clear();
        for (int d = 0; d < dsize; d++) {
          const double fs1 = d * scale;
          const double fs2 = fs1 + scale;
          const double cellWidth = std::min(scale, ssize - fs1);
          int s1 = static_cast<int>(std::ceil(fs1)), s2 = FloorInt(fs2);
          s2 = std::min(s2, ssize - 1);
          s1 = std::min(s1, s2);
          if (s1 - fs1 > 1e-3) tab.push_back({d, s1 - 1, static_cast<float>((s1 - fs1) / cellWidth)});
          for (int s = s1; s < s2; s++) tab.push_back({d, s, static_cast<float>(1.0 / cellWidth)});
          if (fs2 - s2 > 1e-3)
            tab.push_back({d, s2, static_cast<float>(std::min(std::min(fs2 - s2, 1.), cellWidth) / cellWidth)});
        }
      };
      table(sw, dw, scaleX, xtab_);
      table(sh, dh, scaleY, ytab_);
      // First entry of each output index, plus the end (entries come in output order).
      auto starts = [](const std::vector<Decimate>& tab, int dsize, std::vector<int>& start) {
        start.assign(dsize + 1, static_cast<int>(tab.size()));
        for (int k = static_cast<int>(tab.size()) - 1; k >= 0; k--) start[tab[k].di] = k;
      };
      starts(xtab_, dw, xtabStart_);
      starts(ytab_, dh, ytabStart_);
      break;
    }
  }

  // The resampled value is a byte, so every output value is one of 256 per channel: converting
  // through a table is exact by construction (the same double arithmetic as the TypeScript
  // kernel, once per value) and cheaper than converting each element.
  const size_t elem = job.dtype == kFloat32 ? 4 : job.dtype == kFloat16 ? 2 : 1;
  lut_.assign(4 * 256 * elem, 0);
  std::memset(padBytes_, 0, sizeof padBytes_);
  for (int c = 0; c < job.channels; c++) {
    auto fill = [&](auto tag) {
      using T = decltype(tag);
      T* table = reinterpret_cast<T*>(lut_.data()) + c * 256;
      for (int p = 0; p < 256; p++) table[p] = Convert<T>(static_cast<float>(p * job.mul[c] + job.add[c]), job);
      reinterpret_cast<T*>(padBytes_)[c] =
          Convert<T>(static_cast<float>(job.pad[c] * job.mul[c] + job.add[c]), job);
    };
    switch (job.dtype) {
      case kFloat32:
        fill(float{});
        break;
      case kFloat16:
        fill(uint16_t{});
        break;
      case kUint8:
        fill(uint8_t{});
        break;
      default:
        fill(int8_t{});
        break;
    }
  }
}

struct Scratch {
  std::vector<int32_t> h[2];
  int tag[2] = {-1, -1};
  std::vector<float> fsum, fbuf;
};

// Region columns [c0, c0 + n) of one source row through the horizontal pass: integer sums
// weighted by 2^11, interleaved like the source, starting at out[0].
void Plan::HorizontalLinear(const uint8_t* srow, int c0, int n, int32_t* out) const {
  const int cn = cn_;
  const int32_t* x0 = xofs0_.data();
  const int32_t* x1 = xofs1_.data();
  const int16_t* a = alpha_.data();
  const int end = c0 + n;
  int d = c0;
#if defined(__SSSE3__)
  // Two neighbouring pixels of 3 or 4 channels sit in 8 bytes: one load, one shuffle into
  // (left, right) pairs per channel, one multiply-add with the column's two weights.
  if (kUseSimd && (cn == 3 || cn == 4)) {
    const __m128i shuffle = cn == 3 ? _mm_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1)
                                    : _mm_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
    const int vend = std::min(end, vecColumns_);
    int32_t* o = out;
    for (; d < vend; d++, o += cn) {
      int32_t pair;
      std::memcpy(&pair, a + 2 * d, 4);
      const __m128i px = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(srow + x0[d]));
      const __m128i sum = _mm_madd_epi16(_mm_shuffle_epi8(px, shuffle), _mm_set1_epi32(pair));
      // Writes one int past the column when cn == 3; the next column or the scalar tail
      // overwrites it, and the row buffer has room for it.
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), sum);
    }
  }
#elif defined(__ARM_NEON)
  // The same 8-byte load, widened to 16 bits: the left pixel is lanes 0..cn-1, the right one
  // starts at lane cn; a widening multiply and multiply-accumulate give the exact int32 sums.
  if (kUseSimd && (cn == 3 || cn == 4)) {
    const int vend = std::min(end, vecColumns_);
    int32_t* o = out;
    for (; d < vend; d++, o += cn) {
      const int16x8_t px = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(srow + x0[d])));
      const int16x4_t left = vget_low_s16(px);
      const int16x4_t right = cn == 3 ? vget_low_s16(vextq_s16(px, px, 3)) : vget_high_s16(px);
      const int32x4_t sum = vmlal_n_s16(vmull_n_s16(left, a[2 * d]), right, a[2 * d + 1]);
      // As above: the fourth lane of a 3-channel column is overwritten by the next column.
      vst1q_s32(o, sum);
    }
  }
#endif
  for (; d < end; d++) {
    const uint8_t* p0 = srow + x0[d];
    const uint8_t* p1 = srow + x1[d];
    const int a0 = a[2 * d], a1 = a[2 * d + 1];
    int32_t* o = out + (d - c0) * cn;
    for (int ch = 0; ch < cn; ch++) o[ch] = p0[ch] * a0 + p1[ch] * a1;
  }
}

namespace {

// OpenCV's vertical pass of INTER_LINEAR on 8-bit images (VResizeLinearVec_32s8u): each
// horizontal sum is cut to 16 bits (>> 4), multiplied by the row weight keeping the high half,
// and the two rounded with (t0 + t1 + 2) >> 2. Its source also has a scalar tail that rounds the
// 32-bit sum once, but against python3-opencv 4.6 on random widths every element, tails
// included, follows this formula (checked by test/native.test.ts), so every element uses it.
void VerticalLinear(const int32_t* s0, const int32_t* s1, int b0, int b1, int width, uint8_t* out) {
  int x = 0;
#if defined(__SSE2__)
  if (kUseSimd) {
    const __m128i vb0 = _mm_set1_epi16(static_cast<int16_t>(b0));
    const __m128i vb1 = _mm_set1_epi16(static_cast<int16_t>(b1));
    const __m128i two = _mm_set1_epi16(2);
    auto load16 = [](const int32_t* p) {
      return _mm_packs_epi32(_mm_srai_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), 4),
                             _mm_srai_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 4)), 4));
    };
    for (; x + 8 <= width; x += 8) {
      const __m128i t = _mm_adds_epi16(_mm_mulhi_epi16(load16(s0 + x), vb0), _mm_mulhi_epi16(load16(s1 + x), vb1));
      const __m128i r = _mm_srai_epi16(_mm_adds_epi16(t, two), 2);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + x), _mm_packus_epi16(r, r));
    }
  }
#elif defined(__ARM_NEON)
  if (kUseSimd) {
    // The SSE2 steps lane for lane: >> 4 and a saturating narrow to 16 bits, the high half of
    // the 16x16 product (widened, then shifted right by 16), saturating adds, >> 2, and a
    // saturating narrow to bytes.
    const int16x4_t vb0 = vdup_n_s16(static_cast<int16_t>(b0));
    const int16x4_t vb1 = vdup_n_s16(static_cast<int16_t>(b1));
    auto load16 = [](const int32_t* p) {
      return vcombine_s16(vqmovn_s32(vshrq_n_s32(vld1q_s32(p), 4)), vqmovn_s32(vshrq_n_s32(vld1q_s32(p + 4), 4)));
    };
    auto mulhi = [](int16x8_t v, int16x4_t b) {
      return vcombine_s16(vshrn_n_s32(vmull_s16(vget_low_s16(v), b), 16), vshrn_n_s32(vmull_s16(vget_high_s16(v), b), 16));
    };
    const int16x8_t two = vdupq_n_s16(2);
    for (; x + 8 <= width; x += 8) {
      const int16x8_t t = vqaddq_s16(mulhi(load16(s0 + x), vb0), mulhi(load16(s1 + x), vb1));
      vst1_u8(out + x, vqmovun_s16(vshrq_n_s16(vqaddq_s16(t, two), 2)));
    }
  }
#endif
  for (; x < width; x++) {
    const int t = (((s0[x] >> 4) * b0) >> 16) + (((s1[x] >> 4) * b1) >> 16);
    out[x] = SaturateU8((t + 2) >> 2);
  }
}

}  // namespace

void Plan::ResampleRow(int dy, int c0, int n, uint8_t* out, Scratch& sc) const {
  const Job& j = job_;
  const int cn = cn_;
  const int W = n * cn;
  const size_t stride = static_cast<size_t>(j.srcStride);
  const uint8_t* region = j.src + static_cast<size_t>(j.srcRect.y) * stride + static_cast<size_t>(j.srcRect.x) * cn;
  auto srow = [&](int sy) { return region + static_cast<size_t>(sy) * stride; };

  switch (method_) {
    case Method::kLinear: {
      const int b0 = beta_[2 * dy], b1 = beta_[2 * dy + 1];
      // A row with weight 0 adds exactly 0 in both of OpenCV's formulas, whatever the buffer
      // holds: skip its horizontal pass (every second row of an exact 3x downscale).
      const int y0 = b0 == 0 ? -2 : yofs0_[dy], y1 = b1 == 0 ? -2 : yofs1_[dy];
      auto find = [&](int y) { return y == -2 ? 2 : sc.tag[0] == y ? 0 : sc.tag[1] == y ? 1 : -1; };
      int k0 = find(y0), k1 = find(y1);
      if (k0 < 0) {
        k0 = k1 == 0 ? 1 : 0;
        HorizontalLinear(srow(y0), c0, n, sc.h[k0].data());
        sc.tag[k0] = y0;
      }
      if (k1 < 0) {
        k1 = k0 == 0 ? 1 : 0;
        HorizontalLinear(srow(y1), c0, n, sc.h[k1].data());
        sc.tag[k1] = y1;
      }
      // Slot 2 stands for "not computed": any buffer will do, it is multiplied by 0.
      const int32_t* s0 = sc.h[k0 == 2 ? 0 : k0].data();
      const int32_t* s1 = sc.h[k1 == 2 ? 0 : k1].data();
      VerticalLinear(s0, s1, b0, b1, W, out);
      break;
    }
    case Method::kNearest: {
      const uint8_t* s = srow(nnY_[dy]);
      const int32_t* xo = nnX_.data() + c0;
      if (cn == 3) {
        for (int d = 0; d < n; d++) {
          const uint8_t* p = s + xo[d];
          out[3 * d] = p[0];
          out[3 * d + 1] = p[1];
          out[3 * d + 2] = p[2];
        }
      } else {
        for (int d = 0; d < n; d++)
          for (int ch = 0; ch < cn; ch++) out[d * cn + ch] = s[xo[d] + ch];
      }
      break;
    }
    case Method::kAreaFast: {
      const int ax = areaX_, ay = areaY_;
      const uint8_t* s = srow(dy * ay) + static_cast<size_t>(c0) * ax * cn;
      if (ax == 2 && ay == 2) {
        // ResizeAreaFastVec: rounds half up with integer arithmetic.
        const uint8_t* t = s + stride;
        for (int x = 0; x < W; x++) {
          const int o = 2 * x - x % cn;  // 2 * d * cn + ch for x = d * cn + ch
          out[x] = static_cast<uint8_t>((s[o] + s[o + cn] + t[o] + t[o + cn] + 2) >> 2);
        }
      } else {
        // resizeAreaFast_Invoker: the integer sum times the float 1/area, rounded half to even.
        const float scale = 1.f / static_cast<float>(ax * ay);
        for (int d = 0; d < n; d++) {
          for (int ch = 0; ch < cn; ch++) {
            int sum = 0;
            for (int ky = 0; ky < ay; ky++) {
              const uint8_t* p = s + ky * stride + static_cast<size_t>(d) * ax * cn + ch;
              for (int kx = 0; kx < ax; kx++) sum += p[kx * cn];
            }
            out[d * cn + ch] = SaturateU8(static_cast<float>(sum) * scale);
          }
        }
      }
      break;
    }
    case Method::kArea: {
      // ResizeArea_Invoker: float accumulation in OpenCV's order (source columns left to right
      // into a row buffer, then rows top to bottom into the sum), then cvRound.
      float* sum = sc.fsum.data();
      float* buf = sc.fbuf.data();
      const Decimate* xt = xtab_.data();
      const int k0 = xtabStart_[c0], k1 = xtabStart_[c0 + n];
      for (int k = ytabStart_[dy]; k < ytabStart_[dy + 1]; k++) {
        const float beta = ytab_[k].alpha;
        const uint8_t* s = srow(ytab_[k].si);
        std::fill(buf, buf + W, 0.f);
        for (int i = k0; i < k1; i++) {
          const uint8_t* p = s + xt[i].si * cn;
          float* b = buf + (xt[i].di - c0) * cn;
          const float alpha = xt[i].alpha;
          for (int ch = 0; ch < cn; ch++) b[ch] = b[ch] + static_cast<float>(p[ch]) * alpha;
        }
        if (k == ytabStart_[dy]) {
          for (int x = 0; x < W; x++) sum[x] = beta * buf[x];
        } else {
          for (int x = 0; x < W; x++) sum[x] = sum[x] + beta * buf[x];
        }
      }
      for (int x = 0; x < W; x++) out[x] = SaturateU8(sum[x]);
      break;
    }
  }
}

template <typename T>
void Plan::RunRowsT(int row0, int row1) const {
  const Job& j = job_;
  const int C = j.channels, cn = cn_;
  const int ow = j.outWidth;
  const size_t plane = static_cast<size_t>(ow) * static_cast<size_t>(j.outHeight);
  T* const dst = static_cast<T*>(j.dst) + j.dstOffset;
  const T* lut[4];
  T pad[4];
  for (int c = 0; c < 4; c++) {
    lut[c] = reinterpret_cast<const T*>(lut_.data()) + c * 256;
    pad[c] = reinterpret_cast<const T*>(padBytes_)[c];
  }
  // The part of dstRect inside the output; the rest of the output is padding.
  const Rect& dr = j.dstRect;
  const int x0 = std::max(dr.x, 0), x1 = std::min(dr.x + dr.width, ow);
  const int y0 = std::max(dr.y, 0), y1 = std::min(dr.y + dr.height, j.outHeight);
  const int n = x1 - x0;  // columns written from the resampled region
  const int c0 = x0 - dr.x;  // its first column in region coordinates

  Scratch sc;
  std::vector<uint8_t> row;
  if (n > 0 && std::max(row0, y0) < std::min(row1, y1)) {
    const size_t elems = static_cast<size_t>(n) * cn;
    row.resize(elems + 16);
    if (method_ == Method::kLinear) {
      sc.h[0].resize(elems + 8);
      sc.h[1].resize(elems + 8);
    } else if (method_ == Method::kArea) {
      sc.fsum.resize(elems);
      sc.fbuf.resize(elems);
    }
  }

  for (int r = row0; r < row1; r++) {
    const bool inside = n > 0 && r >= y0 && r < y1;
    if (inside) ResampleRow(r - dr.y, c0, n, row.data(), sc);
    if (j.layout == kNCHW) {
      for (int c = 0; c < C; c++) {
        T* o = dst + c * plane + static_cast<size_t>(r) * ow;
        const T pv = pad[c];
        if (!inside) {
          std::fill(o, o + ow, pv);
          continue;
        }
        std::fill(o, o + x0, pv);
        const T* t = lut[c];
        const uint8_t* p = row.data() + j.channelMap[c];
        T* m = o + x0;
        if (cn == 3) {
          for (int d = 0; d < n; d++) m[d] = t[p[3 * d]];
        } else if (cn == 4) {
          for (int d = 0; d < n; d++) m[d] = t[p[4 * d]];
        } else {
          for (int d = 0; d < n; d++) m[d] = t[p[d]];
        }
        std::fill(o + x1, o + ow, pv);
      }
    } else {
      T* o = dst + static_cast<size_t>(r) * ow * C;
      auto fillPad = [&](int from, int to) {
        for (int x = from; x < to; x++)
          for (int c = 0; c < C; c++) o[x * C + c] = pad[c];
      };
      if (!inside) {
        fillPad(0, ow);
        continue;
      }
      fillPad(0, x0);
      T* m = o + static_cast<size_t>(x0) * C;
      const uint8_t* p = row.data();
      if (C == 3 && cn == 3) {
        const int m0 = j.channelMap[0], m1 = j.channelMap[1], m2 = j.channelMap[2];
        for (int d = 0; d < n; d++) {
          m[3 * d] = lut[0][p[3 * d + m0]];
          m[3 * d + 1] = lut[1][p[3 * d + m1]];
          m[3 * d + 2] = lut[2][p[3 * d + m2]];
        }
      } else {
        for (int d = 0; d < n; d++)
          for (int c = 0; c < C; c++) m[d * C + c] = lut[c][p[d * cn + j.channelMap[c]]];
      }
      fillPad(x1, ow);
    }
  }
}

void Plan::RunRows(int row0, int row1) const {
  switch (job_.dtype) {
    case kFloat32:
      RunRowsT<float>(row0, row1);
      break;
    case kFloat16:
      RunRowsT<uint16_t>(row0, row1);
      break;
    case kUint8:
      RunRowsT<uint8_t>(row0, row1);
      break;
    default:
      RunRowsT<int8_t>(row0, row1);
      break;
  }
}

}  // namespace edge_preprocess
