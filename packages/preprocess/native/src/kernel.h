// The fused preprocessing kernel, free of any Node API so it can be tested and timed on its own.
// One Job is one image into one slot of a batch tensor (the KernelJob of src/kernel/job.ts, with
// enums as numbers). A Plan holds everything that depends on the job only (source offsets and
// fixed-point weights per output column and row, output lookup tables), so that several threads
// can each run a range of output rows without sharing any mutable state.

#ifndef EDGE_PREPROCESS_KERNEL_H_
#define EDGE_PREPROCESS_KERNEL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edge_preprocess {

enum Interpolation : int { kBilinear = 0, kNearest = 1, kArea = 2 };
enum Layout : int { kNCHW = 0, kNHWC = 1 };
enum DType : int { kFloat32 = 0, kFloat16 = 1, kUint8 = 2, kInt8 = 3 };

struct Rect {
  int x, y, width, height;
};

struct Job {
  const uint8_t* src;
  size_t srcLength;  // bytes
  int srcWidth, srcHeight, srcStride, srcChannels;
  Rect srcRect, dstRect;
  int outWidth, outHeight;
  int interpolation, layout, dtype;
  int channels;  // output channels, 1..4
  int channelMap[4];
  double mul[4], add[4], pad[4];
  double quantScale;
  double quantZeroPoint;  // an integer
  void* dst;
  size_t dstLength;  // elements
  size_t dstOffset;  // elements
};

// Largest width or height (of the source, its region, the output and dstRect) the kernel takes:
// keeps every in-row offset far inside int32 and every plan table small.
constexpr int kMaxImageSide = 1 << 20;

// Checks what the kernel relies on to stay inside both buffers. The JavaScript loader validates
// every field with a precise message first; this is the second line, so that a direct call into
// the addon with bad numbers is an exception and never a stray write. Returns "" when the job is
// sound.
std::string CheckJob(const Job& job);

// The vector path the kernel runs, chosen once per process from the build (SSE on x86-64,
// NEON on arm64) and the CPU, or "none (...)" with the reason: the addon's `simd` field.
const char* SimdName();

// Elements one job writes: channels * outWidth * outHeight.
size_t JobElements(const Job& job);

// How the source region is resampled, resolved the way cv::resize resolves it.
enum class Method { kLinear, kNearest, kAreaFast, kArea };

class Plan {
 public:
  explicit Plan(const Job& job);

  // Writes output rows [row0, row1) (all channels). Thread-safe: uses only its own scratch.
  void RunRows(int row0, int row1) const;

  int outHeight() const { return job_.outHeight; }
  Method method() const { return method_; }

 private:
  template <typename T>
  void RunRowsT(int row0, int row1) const;
  // Columns [c0, c0 + n) of row dy of the resampled region, interleaved like the source.
  void ResampleRow(int dy, int c0, int n, uint8_t* out, struct Scratch& scratch) const;
  void HorizontalLinear(const uint8_t* srow, int c0, int n, int32_t* out) const;

  Job job_;
  Method method_;
  int cn_;
  // Linear: byte offsets of the two source pixels per output column, inside the region's row,
  // and their 11-bit weights (interleaved pairs).
  std::vector<int32_t> xofs0_, xofs1_;
  std::vector<int16_t> alpha_;
  int vecColumns_ = 0;  // columns the SIMD horizontal pass may take
  std::vector<int32_t> yofs0_, yofs1_;
  std::vector<int16_t> beta_;
  // Nearest: source byte offset per output column, source row per output row.
  std::vector<int32_t> nnX_, nnY_;
  // Area (fast): integer block size. Area (generic): OpenCV's decimation tables.
  int areaX_ = 1, areaY_ = 1;
  struct Decimate {
    int di, si;
    float alpha;
  };
  std::vector<Decimate> xtab_, ytab_;
  std::vector<int> xtabStart_, ytabStart_;  // first entry of each output column / row, plus the end
  // Output value of each of the 256 resampled values and of the padding, per output channel.
  std::vector<uint8_t> lut_;  // 4 tables of 256 elements of the output type
  uint8_t padBytes_[4 * 4];
};

}  // namespace edge_preprocess

#endif  // EDGE_PREPROCESS_KERNEL_H_
