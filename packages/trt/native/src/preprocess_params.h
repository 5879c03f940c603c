// The parameters of the CUDA preprocessing kernel (cuda/preprocess.cu), shared by the kernel and
// the addon that launches it so the two cannot disagree on the layout. src/gpu-preprocess.ts
// packs the same fields, in this order, into an Int32Array and a Float64Array.
#pragma once

#include <stdint.h>

struct EdgePreprocessParams {
  int32_t src_width;
  int32_t src_height;
  int32_t src_stride;
  int32_t src_channels;
  // The source region (srcRect) and where it lands in the output (dstRect).
  int32_t src_x, src_y, src_w, src_h;
  int32_t dst_x, dst_y, dst_w, dst_h;
  int32_t out_width;
  int32_t out_height;
  int32_t interpolation;  // 0 bilinear (cv2 INTER_LINEAR), 1 nearest (cv2 INTER_NEAREST)
  int32_t layout;         // 0 nchw, 1 nhwc
  int32_t element_bytes;  // 4 float32, 2 float16, 1 uint8 / int8
  int32_t channels;       // output channels, 1 to 4
  int32_t channel_map[4];
  // cv::resize's scales: 1 / (dstRect size / srcRect size), in doubles.
  double scale_x;
  double scale_y;
};

// Int32 fields before the table: everything above up to channel_map.
#define EDGE_PREPROCESS_INTS 22
// The element table that follows them: pad[4], then lut[4 * 256] (stored bits of each output
// channel's value for every raw 0..255 byte).
#define EDGE_PREPROCESS_TABLE (4 + 4 * 256)
