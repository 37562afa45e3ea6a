// Element-wise operations for float32 tensors: binary ones with NumPy broadcasting
// (rank <= 6), sums over a block of axes (float64 accumulators, like TensorFlow.js's
// CPU backend), unary functions and the per-channel affine map of batch norm. The
// pure-JS CPU backend walks broadcast shapes element by element with index arithmetic,
// which made these the slowest part of a training step.
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"

namespace mtsl {
namespace {

constexpr int kMaxRank = 6;

enum class BinaryOp { add = 0, sub, mul, div, squaredDifference, maximum, minimum, pow };

/**
 * A double result rounded to float32 as JavaScript does, and a NaN as a positive quiet NaN
 * (glibc's log of a negative number sets the NaN's sign bit; V8's Math.log gives yet another
 * payload, so the tests compare NaNs as NaNs).
 */
inline float jsFloat(double v) { return v != v ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(v); }

template <BinaryOp op>
inline float apply(float a, float b) {
  if constexpr (op == BinaryOp::add) return a + b;
  if constexpr (op == BinaryOp::sub) return a - b;
  if constexpr (op == BinaryOp::mul) return a * b;
  if constexpr (op == BinaryOp::div) return a / b;
  if constexpr (op == BinaryOp::squaredDifference) return (a - b) * (a - b);
  if constexpr (op == BinaryOp::maximum) return a > b || a != a ? a : b;
  if constexpr (op == BinaryOp::minimum) return a < b || a != a ? a : b;
  // In double, as the CPU backend's Math.pow, then rounded: the same float32 values.
  if constexpr (op == BinaryOp::pow) return jsFloat(std::pow(static_cast<double>(a), static_cast<double>(b)));
  return 0;
}

struct Layout {
  int rank;
  std::array<int64_t, kMaxRank> shape, aStride, bStride;
  int64_t total;
};

/**
 * out[i] = op(a[i * as], b[i * bs]) for i < n, each stride 0 (one value broadcast) or 1: the
 * inner loop of every binary op, over a row or a chunk of one.
 */
template <BinaryOp op>
void binarySpan(const float* a, const float* b, float* out, int64_t n, int64_t as, int64_t bs) {
  if (as == 1 && bs == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply<op>(a[i], b[i]);
  } else if (as == 1) {
    const float vb = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = apply<op>(a[i], vb);
  } else if (bs == 1) {
    const float va = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = apply<op>(va, b[i]);
  } else {
    const float v = apply<op>(a[0], b[0]);
    for (int64_t i = 0; i < n; ++i) out[i] = v;
  }
}

/**
 * Runs `op` over output rows: the last axis is the inner loop (strides 0 or 1 on each
 * input), the outer axes are walked by an odometer. Rows are split across
 * threads, or the chunks of a single row.
 */
template <BinaryOp op>
void binaryRows(const float* a, const float* b, float* out, const Layout& l) {
  const int last = l.rank - 1;
  const int64_t inner = l.shape[last];
  const int64_t rows = l.total / inner;
  const int64_t as = l.aStride[last], bs = l.bStride[last];
  const bool parallel = l.total >= parallelElements();
  threadsForKernel(parallel);
  if (rows == 1) {
    // One row: same-shape operands (their layout collapses to one contiguous axis) or a
    // tensor and a single value. The row itself is split across threads: split by rows, a
    // same-shape Add or Multiply of a 16x64x64x32 map ran on one thread whatever the count.
    constexpr int64_t kChunk = 16384;
    const int64_t chunks = (inner + kChunk - 1) / kChunk;
#pragma omp parallel for if (parallel) schedule(static)
    for (int64_t k = 0; k < chunks; ++k) {
      const int64_t i0 = k * kChunk, i1 = std::min(inner, i0 + kChunk);
      binarySpan<op>(a + i0 * as, b + i0 * bs, out + i0, i1 - i0, as, bs);
    }
    return;
  }
#pragma omp parallel if (parallel)
  {
    const int nt = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t r0 = rows * t / nt, r1 = rows * (t + 1) / nt;
    std::array<int64_t, kMaxRank> idx{};
    int64_t rem = r0;
    for (int d = last - 1; d >= 0; --d) {
      idx[d] = rem % l.shape[d];
      rem /= l.shape[d];
    }
    int64_t ai = 0, bi = 0;
    for (int d = 0; d < last; ++d) {
      ai += idx[d] * l.aStride[d];
      bi += idx[d] * l.bStride[d];
    }
    for (int64_t r = r0; r < r1; ++r) {
      binarySpan<op>(a + ai, b + bi, out + r * inner, inner, as, bs);
      for (int d = last - 1; d >= 0; --d) {
        ai += l.aStride[d];
        bi += l.bStride[d];
        if (++idx[d] < l.shape[d]) break;
        ai -= l.aStride[d] * l.shape[d];
        bi -= l.bStride[d] * l.shape[d];
        idx[d] = 0;
      }
    }
  }
}

size_t extent(const std::array<int64_t, kMaxRank>& shape, const std::array<int64_t, kMaxRank>& stride, int rank) {
  int64_t last = 0;
  for (int d = 0; d < rank; ++d) last += (shape[d] - 1) * stride[d];
  return static_cast<size_t>(last + 1);
}

/**
 * binary(op, a, b, out, layout) with layout = [rank, shape x rank, aStrides x rank,
 * bStrides x rank] (padded to 1 + 3 * 6 entries); a stride of 0 broadcasts.
 */
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "binary: op must be a number");
  const int opCode = info[0].As<Napi::Number>().Int32Value();
  auto v = intArgs(info, 4, 1 + 3 * kMaxRank, "layout");
  Layout l{};
  l.rank = static_cast<int>(v[0]);
  if (l.rank < 1 || l.rank > kMaxRank) throw Napi::RangeError::New(env, "binary: rank must be 1..6");
  l.total = 1;
  for (int d = 0; d < l.rank; ++d) {
    l.shape[d] = v[1 + d];
    l.aStride[d] = v[1 + kMaxRank + d];
    l.bStride[d] = v[1 + 2 * kMaxRank + d];
    if (l.shape[d] <= 0 || l.aStride[d] < 0 || l.bStride[d] < 0) {
      throw Napi::RangeError::New(env, "binary: bad shape or strides");
    }
    l.total *= l.shape[d];
  }
  if (l.aStride[l.rank - 1] > 1 || l.bStride[l.rank - 1] > 1) {
    throw Napi::RangeError::New(env, "binary: the last axis must be contiguous or broadcast");
  }
  const float* a = floatArg(info, 1, extent(l.shape, l.aStride, l.rank), "a");
  const float* b = floatArg(info, 2, extent(l.shape, l.bStride, l.rank), "b");
  float* out = floatArg(info, 3, static_cast<size_t>(l.total), "out");
  switch (static_cast<BinaryOp>(opCode)) {
    case BinaryOp::add: binaryRows<BinaryOp::add>(a, b, out, l); break;
    case BinaryOp::sub: binaryRows<BinaryOp::sub>(a, b, out, l); break;
    case BinaryOp::mul: binaryRows<BinaryOp::mul>(a, b, out, l); break;
    case BinaryOp::div: binaryRows<BinaryOp::div>(a, b, out, l); break;
    case BinaryOp::squaredDifference: binaryRows<BinaryOp::squaredDifference>(a, b, out, l); break;
    case BinaryOp::maximum: binaryRows<BinaryOp::maximum>(a, b, out, l); break;
    case BinaryOp::minimum: binaryRows<BinaryOp::minimum>(a, b, out, l); break;
    case BinaryOp::pow: binaryRows<BinaryOp::pow>(a, b, out, l); break;
    default: throw Napi::RangeError::New(env, "binary: unknown op");
  }
  return env.Undefined();
}

/**
 * reduceSum(x, out, [outer, reduced, inner]): out[o, i] = sum over r of x[o, r, i], the
 * caller having grouped the axes into (kept outer, reduced, kept inner) blocks.
 */
Napi::Value ReduceSum(const Napi::CallbackInfo& info) {
  auto v = intArgs(info, 2, 3, "blocks");
  requirePositive(info.Env(), v, 0, 3, "reduceSum");
  const int64_t outer = v[0], reduced = v[1], inner = v[2];
  const float* x = floatArg(info, 0, static_cast<size_t>(outer * reduced * inner), "x");
  float* out = floatArg(info, 1, static_cast<size_t>(outer * inner), "out");
  const int threads = threadsForKernel(outer * reduced * inner >= parallelElements());
  if (inner == 1) {
#pragma omp parallel for if (threads > 1) schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      double s = 0;
      const float* p = x + o * reduced;
      for (int64_t r = 0; r < reduced; ++r) s += p[r];
      out[o] = static_cast<float>(s);
    }
    return info.Env().Undefined();
  }
  if (outer >= threads * 4) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      std::vector<double> acc(static_cast<size_t>(inner), 0.0);
      const float* base = x + o * reduced * inner;
      for (int64_t r = 0; r < reduced; ++r) {
        const float* p = base + r * inner;
        for (int64_t i = 0; i < inner; ++i) acc[i] += p[i];
      }
      for (int64_t i = 0; i < inner; ++i) out[o * inner + i] = static_cast<float>(acc[i]);
    }
    return info.Env().Undefined();
  }
  for (int64_t o = 0; o < outer; ++o) {
    std::vector<double> partial(static_cast<size_t>(threads * inner), 0.0);
    const float* base = x + o * reduced * inner;
#pragma omp parallel num_threads(threads)
    {
      const int nt = omp_get_num_threads(), t = omp_get_thread_num();
      double* acc = partial.data() + t * inner;
      for (int64_t r = reduced * t / nt; r < reduced * (t + 1) / nt; ++r) {
        const float* p = base + r * inner;
        for (int64_t i = 0; i < inner; ++i) acc[i] += p[i];
      }
    }
    for (int64_t i = 0; i < inner; ++i) {
      double s = 0;
      for (int t = 0; t < threads; ++t) s += partial[t * inner + i];
      out[o * inner + i] = static_cast<float>(s);
    }
  }
  return info.Env().Undefined();
}

enum class UnaryOp { relu = 0, step, sqrt, rsqrt, square, neg, exp, abs, sigmoid, log, softplus };

// tfjs-backend-cpu's Softplus thresholds: log(2^-23) + 2.
const double kSoftplusThreshold = std::log(1.1920928955078125e-7) + 2.0;

template <UnaryOp op>
void unaryLoop(const float* x, float* out, int64_t n, float alpha) {
  threadsForKernel(n >= parallelElements());
#pragma omp parallel for if (n >= parallelElements()) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    if constexpr (op == UnaryOp::relu) out[i] = v < 0 ? 0.0f : v;  // NaN stays NaN
    if constexpr (op == UnaryOp::step) out[i] = v != v ? v : (v > 0 ? 1.0f : alpha);
    if constexpr (op == UnaryOp::sqrt) out[i] = std::sqrt(v);
    if constexpr (op == UnaryOp::rsqrt) out[i] = 1.0f / std::sqrt(v);
    if constexpr (op == UnaryOp::square) out[i] = v * v;
    if constexpr (op == UnaryOp::neg) out[i] = -v;
    if constexpr (op == UnaryOp::exp) out[i] = std::exp(v);
    if constexpr (op == UnaryOp::abs) out[i] = std::fabs(v);
    if constexpr (op == UnaryOp::sigmoid) out[i] = 1.0f / (1.0f + std::exp(-v));
    // Log and Softplus in double, as the CPU backend's Math.log / Math.exp, then rounded.
    if constexpr (op == UnaryOp::log) out[i] = jsFloat(std::log(static_cast<double>(v)));
    if constexpr (op == UnaryOp::softplus) {
      const double d = v, e = std::exp(d);
      out[i] = jsFloat(d < kSoftplusThreshold ? e : d > -kSoftplusThreshold ? d : std::log(1.0 + e));
    }
  }
}

/** unary(op, x, out, alpha): out = op(x) element-wise (alpha: Step's value for x <= 0). */
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsTypedArray() || !info[3].IsNumber()) {
    throw Napi::TypeError::New(env, "unary(op, x, out, alpha)");
  }
  const int opCode = info[0].As<Napi::Number>().Int32Value();
  const size_t n = info[1].As<Napi::TypedArray>().ElementLength();
  const float* x = floatArg(info, 1, n, "x");
  float* out = floatArg(info, 2, n, "out");
  const float alpha = info[3].As<Napi::Number>().FloatValue();
  const auto len = static_cast<int64_t>(n);
  switch (static_cast<UnaryOp>(opCode)) {
    case UnaryOp::relu: unaryLoop<UnaryOp::relu>(x, out, len, alpha); break;
    case UnaryOp::step: unaryLoop<UnaryOp::step>(x, out, len, alpha); break;
    case UnaryOp::sqrt: unaryLoop<UnaryOp::sqrt>(x, out, len, alpha); break;
    case UnaryOp::rsqrt: unaryLoop<UnaryOp::rsqrt>(x, out, len, alpha); break;
    case UnaryOp::square: unaryLoop<UnaryOp::square>(x, out, len, alpha); break;
    case UnaryOp::neg: unaryLoop<UnaryOp::neg>(x, out, len, alpha); break;
    case UnaryOp::exp: unaryLoop<UnaryOp::exp>(x, out, len, alpha); break;
    case UnaryOp::abs: unaryLoop<UnaryOp::abs>(x, out, len, alpha); break;
    case UnaryOp::sigmoid: unaryLoop<UnaryOp::sigmoid>(x, out, len, alpha); break;
    case UnaryOp::log: unaryLoop<UnaryOp::log>(x, out, len, alpha); break;
    case UnaryOp::softplus: unaryLoop<UnaryOp::softplus>(x, out, len, alpha); break;
    default: throw Napi::RangeError::New(env, "unary: unknown op");
  }
  return env.Undefined();
}

/**
 * channelAffine(x, mean, scale, offset, out): out = (x - mean[c]) * scale[c] + offset[c]
 * over the last axis c (batch norm with the per-channel scale precomputed).
 */
Napi::Value ChannelAffine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsTypedArray() || !info[1].IsTypedArray()) {
    throw Napi::TypeError::New(env, "channelAffine(x, mean, scale, offset, out)");
  }
  const size_t n = info[0].As<Napi::TypedArray>().ElementLength();
  const size_t c = info[1].As<Napi::TypedArray>().ElementLength();
  if (c == 0 || n % c != 0) throw Napi::RangeError::New(env, "channelAffine: length must be a multiple of channels");
  const float* x = floatArg(info, 0, n, "x");
  const float* mean = floatArg(info, 1, c, "mean");
  const float* scale = floatArg(info, 2, c, "scale");
  const float* offset = floatArg(info, 3, c, "offset");
  float* out = floatArg(info, 4, n, "out");
  const auto rows = static_cast<int64_t>(n / c), channels = static_cast<int64_t>(c);
  threadsForKernel(static_cast<int64_t>(n) >= parallelElements());
#pragma omp parallel for if (static_cast<int64_t>(n) >= parallelElements()) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* px = x + r * channels;
    float* po = out + r * channels;
    for (int64_t k = 0; k < channels; ++k) po[k] = (px[k] - mean[k]) * scale[k] + offset[k];
  }
  return env.Undefined();
}

}  // namespace

void initEltwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("reduceSum", Napi::Function::New(env, ReduceSum, "reduceSum"));
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("channelAffine", Napi::Function::New(env, ChannelAffine, "channelAffine"));
}

}  // namespace mtsl
