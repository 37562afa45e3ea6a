// Bilinear resizing of NHWC images with TensorFlow's sampling rule (alignCorners,
// halfPixelCenters), forward and its exact adjoint, parallelised with OpenMP.
//
// Written by hand rather than with oneDNN's resampling primitive: oneDNN 2.6's JIT
// linear resampling crashes (SIGSEGV in a worker thread) on NHWC 16x32x32x16 -> 64x64,
// a shape of the scenes network.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common.h"

namespace mtsl {
namespace {

/** For each output index along one axis: the two source indices and the weight of the second. */
struct Taps {
  std::vector<int64_t> low, high;
  std::vector<float> frac;
};

Taps axisTaps(int64_t in, int64_t out, bool alignCorners, bool halfPixelCenters) {
  const bool aligned = alignCorners && out > 1;
  const double ratio = static_cast<double>(aligned ? in - 1 : in) / static_cast<double>(aligned ? out - 1 : out);
  Taps t{std::vector<int64_t>(out), std::vector<int64_t>(out), std::vector<float>(out)};
  for (int64_t o = 0; o < out; ++o) {
    const double source = halfPixelCenters ? ratio * (o + 0.5) - 0.5 : ratio * o;
    const double floor = std::max(0.0, std::floor(source));
    t.low[o] = static_cast<int64_t>(floor);
    t.high[o] = std::min(in - 1, static_cast<int64_t>(std::ceil(source)));
    t.frac[o] = static_cast<float>(source - floor);
  }
  return t;
}

struct Shape {
  int64_t n, h, w, c, oh, ow;
  bool alignCorners, halfPixelCenters;
};

Shape readShape(const Napi::CallbackInfo& info) {
  auto v = intArgs(info, 2, 8, "shape");
  requirePositive(info.Env(), v, 0, 6, "resizeBilinear");
  return Shape{v[0], v[1], v[2], v[3], v[4], v[5], v[6] != 0, v[7] != 0};
}

/** resizeBilinearForward(x, y, [n, h, w, c, oh, ow, alignCorners, halfPixelCenters]). */
Napi::Value ResizeForward(const Napi::CallbackInfo& info) {
  const Shape s = readShape(info);
  const float* x = floatArg(info, 0, static_cast<size_t>(s.n * s.h * s.w * s.c), "x");
  float* y = floatArg(info, 1, static_cast<size_t>(s.n * s.oh * s.ow * s.c), "y");
  const Taps rows = axisTaps(s.h, s.oh, s.alignCorners, s.halfPixelCenters);
  const Taps cols = axisTaps(s.w, s.ow, s.alignCorners, s.halfPixelCenters);
  const int64_t rowStride = s.w * s.c;
  const bool parallel = s.n * s.oh * s.ow * s.c >= parallelElements();
  threadsForKernel(parallel);
#pragma omp parallel for collapse(2) if (parallel) schedule(static)
  for (int64_t b = 0; b < s.n; ++b) {
    for (int64_t r = 0; r < s.oh; ++r) {
      const float* top = x + (b * s.h + rows.low[r]) * rowStride;
      const float* bottom = x + (b * s.h + rows.high[r]) * rowStride;
      const float rowFrac = rows.frac[r];
      float* out = y + (b * s.oh + r) * s.ow * s.c;
      for (int64_t col = 0; col < s.ow; ++col) {
        const int64_t left = cols.low[col] * s.c, right = cols.high[col] * s.c;
        const float colFrac = cols.frac[col];
        for (int64_t d = 0; d < s.c; ++d) {
          const float t = top[left + d] + (top[right + d] - top[left + d]) * colFrac;
          const float u = bottom[left + d] + (bottom[right + d] - bottom[left + d]) * colFrac;
          out[col * s.c + d] = t + (u - t) * rowFrac;
        }
      }
    }
  }
  return info.Env().Undefined();
}

/** resizeBilinearBackward(dy, dx, [n, h, w, c, oh, ow, alignCorners, halfPixelCenters]): dx = adjoint(dy). */
Napi::Value ResizeBackward(const Napi::CallbackInfo& info) {
  const Shape s = readShape(info);
  const float* dy = floatArg(info, 0, static_cast<size_t>(s.n * s.oh * s.ow * s.c), "dy");
  float* dx = floatArg(info, 1, static_cast<size_t>(s.n * s.h * s.w * s.c), "dx");
  const Taps rows = axisTaps(s.h, s.oh, s.alignCorners, s.halfPixelCenters);
  const Taps cols = axisTaps(s.w, s.ow, s.alignCorners, s.halfPixelCenters);
  const int64_t rowStride = s.w * s.c;
  // Each thread owns whole images (batch) or, for a single image, a band of channels,
  // so the scattered additions never race.
  const bool parallel = s.n * s.oh * s.ow * s.c >= parallelElements();
  const int threads = threadsForKernel(parallel);
  const int64_t channelBlocks = s.n >= threads ? 1 : std::min<int64_t>(s.c, threads);
#pragma omp parallel for collapse(2) if (parallel) schedule(static)
  for (int64_t b = 0; b < s.n; ++b) {
    for (int64_t block = 0; block < channelBlocks; ++block) {
      const int64_t d0 = s.c * block / channelBlocks, d1 = s.c * (block + 1) / channelBlocks;
      float* image = dx + b * s.h * rowStride;
      for (int64_t i = 0; i < s.h * s.w; ++i) std::fill(image + i * s.c + d0, image + i * s.c + d1, 0.0f);
      for (int64_t r = 0; r < s.oh; ++r) {
        float* top = image + rows.low[r] * rowStride;
        float* bottom = image + rows.high[r] * rowStride;
        const float rowFrac = rows.frac[r];
        const float* g = dy + (b * s.oh + r) * s.ow * s.c;
        for (int64_t col = 0; col < s.ow; ++col) {
          const int64_t left = cols.low[col] * s.c, right = cols.high[col] * s.c;
          const float colFrac = cols.frac[col];
          const float wTL = (1 - rowFrac) * (1 - colFrac), wTR = (1 - rowFrac) * colFrac;
          const float wBL = rowFrac * (1 - colFrac), wBR = rowFrac * colFrac;
          for (int64_t d = d0; d < d1; ++d) {
            const float v = g[col * s.c + d];
            top[left + d] += v * wTL;
            top[right + d] += v * wTR;
            bottom[left + d] += v * wBL;
            bottom[right + d] += v * wBR;
          }
        }
      }
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void initResample(Napi::Env env, Napi::Object exports) {
  exports.Set("resizeBilinearForward", Napi::Function::New(env, ResizeForward, "resizeBilinearForward"));
  exports.Set("resizeBilinearBackward", Napi::Function::New(env, ResizeBackward, "resizeBilinearBackward"));
}

}  // namespace mtsl
