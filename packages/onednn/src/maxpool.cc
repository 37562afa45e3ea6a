// 2-D max pooling on NHWC float32 data in OpenMP loops. Forward: the CPU backend's loop (its
// window bounds, its dilation stepping, padding that never wins, NaN never taken) split over
// threads by output row; the CPU backend walks it channel-outermost with per-element buffer
// indexing, which made the ResNet stem's pool ~7 ms per call. Backward: the runtime's typed
// MaxPoolGrad loop (runtime/backend/max-pool-grad.ts), ~7 ms per call for the same pool.
#include <omp.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
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

/**
 * maxPoolBackward(x, dy, dx, geometry), geometry as maxPoolForward's (dilation 1): every
 * output's gradient added to the first maximum of its window in row-major order, as the
 * runtime's typed loop and the CPU backend do (padding never wins, a NaN is never taken, a
 * window of only NaN or -Infinity passes no gradient). Windows overlap when the stride is
 * below the filter, so the threads split the work by image and channel block, whose input
 * positions are disjoint, not by output row.
 */
Napi::Value MaxPoolBackward(const Napi::CallbackInfo& info) {
  auto g = intArgs(info, 3, 14, "geometry");
  requirePositive(info.Env(), g, 0, 12, "maxPoolBackward");
  if (g[12] < 0 || g[13] < 0) throw Napi::RangeError::New(info.Env(), "maxPoolBackward: padding must not be negative");
  if (g[10] != 1 || g[11] != 1) throw Napi::RangeError::New(info.Env(), "maxPoolBackward: dilation must be 1");
  if (g[1] * g[2] > (int64_t{1} << 24)) {
    throw Napi::RangeError::New(info.Env(), "maxPoolBackward: an image of more than 2^24 positions");
  }
  const int64_t batch = g[0], inH = g[1], inW = g[2], channels = g[3], outH = g[4], outW = g[5];
  const int64_t strideH = g[6], strideW = g[7], filterH = g[8], filterW = g[9];
  const int64_t padTop = g[12], padLeft = g[13];
  const float* x = floatArg(info, 0, static_cast<size_t>(batch * inH * inW * channels), "x");
  const float* dy = floatArg(info, 1, static_cast<size_t>(batch * outH * outW * channels), "dy");
  float* dx = floatArg(info, 2, static_cast<size_t>(batch * inH * inW * channels), "dx");
  constexpr int64_t kBlock = 16;
  const int64_t blocks = (channels + kBlock - 1) / kBlock;
  const int64_t units = batch * blocks;
  const int64_t work = batch * outH * outW * channels * filterH * filterW;
  const int threads = threadsForKernel(work >= parallelElements());
#pragma omp parallel for if (threads > 1) schedule(static)
  for (int64_t unit = 0; unit < units; ++unit) {
    const int64_t b = unit / blocks, d0 = (unit % blocks) * kBlock;
    const int64_t width = std::min(kBlock, channels - d0);
    const float* xb = x + b * inH * inW * channels + d0;
    float* dxb = dx + b * inH * inW * channels + d0;
    for (int64_t r = 0; r < inH; ++r) {
      for (int64_t c = 0; c < inW; ++c) {
        float* p = dxb + (r * inW + c) * channels;
        for (int64_t d = 0; d < width; ++d) p[d] = 0.0f;
      }
    }
    // Each lane's running maximum and its position (as a float, exact below 2^24).
    float best[kBlock];
    float where[kBlock];
    for (int64_t yR = 0; yR < outH; ++yR) {
      const int64_t rCorner = yR * strideH - padTop;
      const int64_t rMin = std::max<int64_t>(0, rCorner), rMax = std::min(inH, rCorner + filterH);
      for (int64_t yC = 0; yC < outW; ++yC) {
        const int64_t cCorner = yC * strideW - padLeft;
        const int64_t cMin = std::max<int64_t>(0, cCorner), cMax = std::min(inW, cCorner + filterW);
        for (int64_t d = 0; d < kBlock; ++d) {
          best[d] = -std::numeric_limits<float>::infinity();
          where[d] = -1.0f;
        }
        for (int64_t r = rMin; r < rMax; ++r) {
          for (int64_t c = cMin; c < cMax; ++c) {
            const float position = static_cast<float>(r * inW + c);
            const float* px = xb + (r * inW + c) * channels;
            int64_t d = 0;
#if defined(__SSE2__)
            // GCC leaves the two-array blend below scalar (a mispredicted branch per lane,
            // 3.5 ms for the ResNet stem's pool); four lanes at a time it takes 0.55 ms.
            const __m128 at = _mm_set1_ps(position);
            for (; d + 4 <= width; d += 4) {
              const __m128 v = _mm_loadu_ps(px + d), m = _mm_loadu_ps(best + d), w = _mm_loadu_ps(where + d);
              const __m128 greater = _mm_cmpgt_ps(v, m);  // false for NaN, as below
              _mm_storeu_ps(best + d, _mm_or_ps(_mm_and_ps(greater, v), _mm_andnot_ps(greater, m)));
              _mm_storeu_ps(where + d, _mm_or_ps(_mm_and_ps(greater, at), _mm_andnot_ps(greater, w)));
            }
#endif
            for (; d < width; ++d) {
              // Strictly greater: the first maximum wins, and a NaN never does.
              const bool greater = px[d] > best[d];
              best[d] = greater ? px[d] : best[d];
              where[d] = greater ? position : where[d];
            }
          }
        }
        const float* g = dy + ((b * outH + yR) * outW + yC) * channels + d0;
        for (int64_t d = 0; d < width; ++d) {
          if (where[d] >= 0.0f) dxb[static_cast<int64_t>(where[d]) * channels + d] += g[d];
        }
      }
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void initMaxPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPoolForward", Napi::Function::New(env, MaxPoolForward, "maxPoolForward"));
  exports.Set("maxPoolBackward", Napi::Function::New(env, MaxPoolBackward, "maxPoolBackward"));
}

}  // namespace mtsl
