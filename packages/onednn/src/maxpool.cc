// 2-D max pooling forward on NHWC float32 data, the CPU backend's loop (its window bounds,
// its dilation stepping, padding that never wins, NaN never taken) split over OpenMP
// threads by output row. The CPU backend walks it channel-outermost with per-element
// buffer indexing, which made the ResNet stem's pool ~7 ms per call.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common.h"

namespace mtsl {
namespace {

/**
 * maxPoolForward(x, out, geometry) with geometry = [batch, inH, inW, channels, outH, outW,
 * strideH, strideW, effectiveFilterH, effectiveFilterW, dilationH, dilationW, padTop, padLeft].
 */
Napi::Value MaxPoolForward(const Napi::CallbackInfo& info) {
  auto g = intArgs(info, 2, 14, "geometry");
  requirePositive(info.Env(), g, 0, 12, "maxPoolForward");
  if (g[12] < 0 || g[13] < 0) throw Napi::RangeError::New(info.Env(), "maxPoolForward: padding must not be negative");
  const int64_t batch = g[0], inH = g[1], inW = g[2], channels = g[3], outH = g[4], outW = g[5];
  const int64_t strideH = g[6], strideW = g[7], filterH = g[8], filterW = g[9], dilH = g[10], dilW = g[11];
  const int64_t padTop = g[12], padLeft = g[13];
  const float* x = floatArg(info, 0, static_cast<size_t>(batch * inH * inW * channels), "x");
  float* out = floatArg(info, 1, static_cast<size_t>(batch * outH * outW * channels), "out");
  const int64_t rows = batch * outH;
  const int64_t work = rows * outW * channels * filterH * filterW;
  const int threads = threadsForKernel(work >= parallelElements());
#pragma omp parallel for if (threads > 1) schedule(static)
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t b = row / outH, yR = row % outH;
    const float* xb = x + b * inH * inW * channels;
    const int64_t rCorner = yR * strideH - padTop;
    const int64_t rMin = std::max<int64_t>(0, rCorner), rMax = std::min(inH, filterH + rCorner);
    for (int64_t yC = 0; yC < outW; ++yC) {
      const int64_t cCorner = yC * strideW - padLeft;
      const int64_t cMin = std::max<int64_t>(0, cCorner), cMax = std::min(inW, filterW + cCorner);
      float* o = out + (row * outW + yC) * channels;
      for (int64_t d = 0; d < channels; ++d) o[d] = -std::numeric_limits<float>::infinity();
      for (int64_t r = rMin; r < rMax; r += dilH) {
        for (int64_t c = cMin; c < cMax; c += dilW) {
          const float* px = xb + (r * inW + c) * channels;
          // `v > best` is false for NaN: as the CPU backend, a NaN is never taken.
          for (int64_t d = 0; d < channels; ++d) o[d] = px[d] > o[d] ? px[d] : o[d];
        }
      }
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void initMaxPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPoolForward", Napi::Function::New(env, MaxPoolForward, "maxPoolForward"));
}

}  // namespace mtsl
