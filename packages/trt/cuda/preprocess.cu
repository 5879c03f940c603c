// The fused resize / letterbox / normalise / layout step of @edge/preprocess as one CUDA kernel:
// one thread per output pixel, writing every output channel of it.
//
// The arithmetic is the CPU kernel's, operation for operation (packages/preprocess/src/kernel/
// tables.ts and fused.ts): OpenCV's INTER_LINEAR with 11-bit fixed-point weights (positions in
// doubles rounded once to float, weights rounded half to even, the horizontal sum shifted right
// by 4, the vertical pass truncating each product), INTER_NEAREST by floor, and the whole
// normalise-and-convert tail as one lookup table built on the host. Compiled with --fmad=false so
// no multiply-add is fused: every rounding is the one JavaScript performs. src/gpu-reference.ts
// is the same code in TypeScript and the tests hold it against the CPU kernel.
//
// Area interpolation is not implemented here (the launcher refuses it before the GPU sees it).

#include "../native/src/preprocess_params.h"

struct Tap {
  int i0, i1, w0, w1;
};

__device__ __forceinline__ int clamp_index(int v, int len) { return v < 0 ? 0 : (v > len - 1 ? len - 1 : v); }

// tables.ts linearAxis, one output index. clamp_weights: the horizontal axis moves the weight of
// a tap outside the region onto the edge pixel; the vertical axis only clamps the rows.
__device__ Tap linear_tap(int d, int len, double scale, bool clamp_weights) {
  float f = (float)((d + 0.5) * scale - 0.5);
  int s = (int)floorf(f);
  f = f - (float)s;
  if (clamp_weights) {
    if (s < 0) {
      f = 0.0f;
      s = 0;
    }
    if (s >= len - 1) {
      f = 0.0f;
      s = len - 1;
    }
  }
  Tap t;
  t.i0 = clamp_index(s, len);
  t.i1 = clamp_index(s + 1, len);
  t.w0 = __float2int_rn((1.0f - f) * 2048.0f);
  t.w1 = __float2int_rn(f * 2048.0f);
  return t;
}

__device__ __forceinline__ int nearest_index(int d, int len, double scale) {
  int s = (int)floor(d * scale);
  return s < len - 1 ? s : len - 1;
}

__device__ __forceinline__ void store(unsigned char* dst, long long index, int bytes, unsigned int bits) {
  if (bytes == 4) ((unsigned int*)dst)[index] = bits;
  else if (bytes == 2) ((unsigned short*)dst)[index] = (unsigned short)bits;
  else dst[index] = (unsigned char)bits;
}

extern "C" __global__ void edge_preprocess(const unsigned char* src, unsigned char* dst, const unsigned int* table,
                                           EdgePreprocessParams p) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= p.out_width || y >= p.out_height) return;
  const unsigned int* pad = table;
  const unsigned int* lut = table + 4;
  const int C = p.channels;
  const long long plane = (long long)p.out_width * p.out_height;
  const long long pixel = (long long)y * p.out_width + x;
  const bool inside = x >= p.dst_x && x < p.dst_x + p.dst_w && y >= p.dst_y && y < p.dst_y + p.dst_h;
  const int rx = x - p.dst_x;
  const int ry = y - p.dst_y;
  const int cn = p.src_channels;
  Tap tx = {0, 0, 0, 0};
  Tap ty = {0, 0, 0, 0};
  int nx = 0, ny = 0;
  if (inside) {
    if (p.interpolation == 0) {
      tx = linear_tap(rx, p.src_w, p.scale_x, true);
      ty = linear_tap(ry, p.src_h, p.scale_y, false);
    } else {
      nx = nearest_index(rx, p.src_w, p.scale_x);
      ny = nearest_index(ry, p.src_h, p.scale_y);
    }
  }
  for (int c = 0; c < C; c++) {
    unsigned int bits;
    if (!inside) {
      bits = pad[c];
    } else {
      const int sc = p.channel_map[c];
      int raw;
      if (p.interpolation == 0) {
        const unsigned char* r0 = src + (long long)(p.src_y + ty.i0) * p.src_stride;
        const unsigned char* r1 = src + (long long)(p.src_y + ty.i1) * p.src_stride;
        const int c0 = (p.src_x + tx.i0) * cn + sc;
        const int c1 = (p.src_x + tx.i1) * cn + sc;
        const int h0 = (r0[c0] * tx.w0 + r0[c1] * tx.w1) >> 4;
        const int h1 = (r1[c0] * tx.w0 + r1[c1] * tx.w1) >> 4;
        raw = (((h0 * ty.w0) >> 16) + ((h1 * ty.w1) >> 16) + 2) >> 2;
      } else {
        raw = src[(long long)(p.src_y + ny) * p.src_stride + (p.src_x + nx) * cn + sc];
      }
      bits = lut[c * 256 + raw];
    }
    const long long index = p.layout == 0 ? c * plane + pixel : pixel * C + c;
    store(dst, index, p.element_bytes, bits);
  }
}
