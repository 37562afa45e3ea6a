// The training step's host loops that are not TensorFlow.js kernels: training-mode batch
// norm forward and backward over the last axis (float64 accumulators), the Adam update
// of one weight, log-softmax over rows forward and backward, and strided row copies
// (concatenation and splits along an inner axis).
//
// Each loop computes exactly what the runtime's JavaScript version computes, in the same
// order per element (runtime/backend/batch-norm-train.ts, runtime/train/optimizer.ts):
// on one thread the results are bit for bit the JavaScript ones. With more threads the
// per-channel sums of batch norm are added per thread's block of rows and then across
// threads, in a fixed order.
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common.h"

namespace mtsl {
namespace {

/**
 * Per-channel sums over the rows of a rows x channels array: `rowTerm(r, k, acc)` adds row
 * r's terms of channel k into acc[k * width ...]. With more than one thread each thread
 * sums a contiguous block of rows and the blocks are added in thread order.
 */
template <typename RowTerm>
std::vector<double> channelSums(int64_t rows, int64_t channels, int width, bool parallel, RowTerm rowTerm) {
  const int threads = threadsForKernel(parallel);
  std::vector<double> partial(static_cast<size_t>(threads) * channels * width, 0.0);
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    const int nt = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t r0 = rows * t / nt, r1 = rows * (t + 1) / nt;
    double* acc = partial.data() + static_cast<size_t>(t) * channels * width;
    for (int64_t r = r0; r < r1; ++r) rowTerm(r, acc);
  }
  std::vector<double> total(static_cast<size_t>(channels) * width, 0.0);
  for (int t = 0; t < threads; ++t) {
    const double* acc = partial.data() + static_cast<size_t>(t) * channels * width;
    for (size_t i = 0; i < total.size(); ++i) total[i] += acc[i];
  }
  return total;
}

/** ReLU as the onednn backend's Relu computes it: NaN and -0 pass. */
inline float reluValue(float v) { return v < 0 ? 0.0f : v; }

/**
 * ReLU's gradient from its output y over one row of n values, dy * step(y) as the composed
 * Step and Multiply compute it (step(y) = 1 where y > 0, 0 elsewhere, y itself where y is
 * NaN), into this thread's buffer, in a loop the
 * compiler vectorises (inside the float64 loops below the mask was compiled to branches,
 * mispredicted on every other value: 3-4 ms more per step of the 64x64 scene network).
 */
const float* maskedRow(const float* dy, const float* y, int64_t n) {
  thread_local std::vector<float> buffer;
  if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(static_cast<size_t>(n));
  float* g = buffer.data();
  // step(y) from y's bits (float comparisons are not vectorised here: GCC keeps them as
  // branches under its default -ftrapping-math): 1 where y > 0, y itself where y is NaN.
  for (int64_t k = 0; k < n; ++k) {
    int32_t yb;
    std::memcpy(&yb, y + k, sizeof yb);
    const int32_t positive = -static_cast<int32_t>(yb > 0);                // +0 < y (NaN too)
    const int32_t nan = -static_cast<int32_t>((yb & 0x7fffffff) > 0x7f800000);  // any NaN
    const int32_t oneBits = positive & 0x3f800000;                           // 1.0f or +0
    float one;
    std::memcpy(&one, &oneBits, sizeof one);
    const float product = dy[k] * one;
    int32_t pb;
    std::memcpy(&pb, &product, sizeof pb);
    const int32_t out = (pb & ~nan) | (yb & nan);
    std::memcpy(g + k, &out, sizeof out);
  }
  return g;
}

/**
 * batchNormTrainForward(x, gamma, beta, movingMean, movingVariance, y, mean, variance,
 * newMean, newVariance, momentum, epsilon[, residual, relu]): training-mode batch norm over
 * the last axis. mean / variance: the batch's (biased variance); newMean / newVariance: the
 * running statistics after this batch (unbiased variance, PyTorch's convention). With a
 * residual (or null) and relu: y = relu(bn(x) + residual), each step rounded to float.
 */
Napi::Value BatchNormTrainForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = floatLength(info, 0, "x");
  const size_t c = floatLength(info, 1, "gamma");
  if (c == 0 || n % c != 0) throw Napi::RangeError::New(env, "batchNormTrainForward: length must be a multiple of channels");
  const float* x = floatArg(info, 0, n, "x");
  const float* gamma = floatArg(info, 1, c, "gamma");
  const float* beta = floatArg(info, 2, c, "beta");
  const float* movingMean = floatArg(info, 3, c, "movingMean");
  const float* movingVariance = floatArg(info, 4, c, "movingVariance");
  float* y = floatArg(info, 5, n, "y");
  float* mean = floatArg(info, 6, c, "mean");
  float* variance = floatArg(info, 7, c, "variance");
  float* newMean = floatArg(info, 8, c, "newMean");
  float* newVariance = floatArg(info, 9, c, "newVariance");
  const double momentum = numberArg(info, 10, "momentum");
  const double epsilon = numberArg(info, 11, "epsilon");
  const float* residual = optionalFloatArg(info, 12, n, "residual");
  const bool relu = info.Length() > 13 && info[13].ToBoolean().Value();
  const auto channels = static_cast<int64_t>(c), rows = static_cast<int64_t>(n / c);
  const bool parallel = static_cast<int64_t>(n) >= parallelElements();

  const std::vector<double> sums = channelSums(rows, channels, 1, parallel, [&](int64_t r, double* acc) {
    const float* px = x + r * channels;
    for (int64_t k = 0; k < channels; ++k) acc[k] += px[k];
  });
  std::vector<double> mu(c);
  for (size_t k = 0; k < c; ++k) mu[k] = sums[k] / static_cast<double>(rows);
  const std::vector<double> squares = channelSums(rows, channels, 1, parallel, [&](int64_t r, double* acc) {
    const float* px = x + r * channels;
    for (int64_t k = 0; k < channels; ++k) {
      const double d = px[k] - mu[k];
      acc[k] += d * d;
    }
  });
  std::vector<double> scale(c), shift(c);
  for (size_t k = 0; k < c; ++k) {
    const double v = squares[k] / static_cast<double>(rows);
    const double unbiased = rows > 1 ? squares[k] / static_cast<double>(rows - 1) : v;
    mean[k] = static_cast<float>(mu[k]);
    variance[k] = static_cast<float>(v);
    newMean[k] = static_cast<float>(momentum * movingMean[k] + (1 - momentum) * mu[k]);
    newVariance[k] = static_cast<float>(momentum * movingVariance[k] + (1 - momentum) * unbiased);
    scale[k] = gamma[k] / std::sqrt(v + epsilon);
    shift[k] = beta[k] - mu[k] * scale[k];
  }
  const int threads = threadsForKernel(parallel);
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* px = x + r * channels;
    float* py = y + r * channels;
    if (residual == nullptr && !relu) {
      for (int64_t k = 0; k < channels; ++k) py[k] = static_cast<float>(px[k] * scale[k] + shift[k]);
      continue;
    }
    const float* pr = residual == nullptr ? nullptr : residual + r * channels;
    for (int64_t k = 0; k < channels; ++k) {
      float v = static_cast<float>(px[k] * scale[k] + shift[k]);
      if (pr != nullptr) v += pr[k];
      py[k] = relu ? reluValue(v) : v;
    }
  }
  return env.Undefined();
}

/**
 * batchNormTrainBackward(dy, x, gamma, mean, variance, dx, dgamma, dbeta, epsilon[, y,
 * dz]): the closed-form gradient of training-mode batch norm through its own batch
 * statistics. With y, the output of a fused ReLU, dy is masked by step(y) where it is read;
 * dz, when given, receives the masked gradient (the residual's).
 */
Napi::Value BatchNormTrainBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = floatLength(info, 0, "dy");
  const size_t c = floatLength(info, 2, "gamma");
  if (c == 0 || n % c != 0) {
    throw Napi::RangeError::New(env, "batchNormTrainBackward: length must be a multiple of channels");
  }
  const float* dy = floatArg(info, 0, n, "dy");
  const float* x = floatArg(info, 1, n, "x");
  const float* gamma = floatArg(info, 2, c, "gamma");
  const float* mean = floatArg(info, 3, c, "mean");
  const float* variance = floatArg(info, 4, c, "variance");
  float* dx = floatArg(info, 5, n, "dx");
  float* dgamma = floatArg(info, 6, c, "dgamma");
  float* dbeta = floatArg(info, 7, c, "dbeta");
  const double epsilon = numberArg(info, 8, "epsilon");
  const float* reluOut = optionalFloatArg(info, 9, n, "y");
  float* dzOut = optionalFloatArg(info, 10, n, "dz");
  if (dzOut != nullptr && reluOut == nullptr) {
    throw Napi::TypeError::New(env, "batchNormTrainBackward: dz needs the ReLU's output y");
  }
  const auto channels = static_cast<int64_t>(c), rows = static_cast<int64_t>(n / c);
  const bool parallel = static_cast<int64_t>(n) >= parallelElements();
  // The gradient through the fused ReLU, g = dy * step(y), is computed where it is read,
  // in both passes (no scratch array: a fresh one per call cost more in page faults than
  // the pass saves, and per-thread row buffers shared cache lines).
  std::vector<double> mu(c), invStd(c);
  for (size_t k = 0; k < c; ++k) {
    mu[k] = mean[k];
    invStd[k] = 1 / std::sqrt(variance[k] + epsilon);
  }
  // acc[k] = sum g, acc[channels + k] = sum g * (x - mean).
  const std::vector<double> sums = channelSums(rows, channels, 2, parallel, [&](int64_t r, double* acc) {
    const float* pdy = dy + r * channels;
    const float* px = x + r * channels;
    double* sumDy = acc;
    double* sumDyX = acc + channels;
    const float* g = reluOut == nullptr ? pdy : maskedRow(pdy, reluOut + r * channels, channels);
    for (int64_t k = 0; k < channels; ++k) {
      sumDy[k] += g[k];
      sumDyX[k] += g[k] * (px[k] - mu[k]);
    }
  });
  std::vector<double> factor(c), meanDy(c), meanDyXhat(c);
  for (size_t k = 0; k < c; ++k) {
    const double sumDy = sums[k];
    const double sumDyXhat = sums[c + k] * invStd[k];
    dgamma[k] = static_cast<float>(sumDyXhat);
    dbeta[k] = static_cast<float>(sumDy);
    factor[k] = gamma[k] * invStd[k];
    meanDy[k] = sumDy / static_cast<double>(rows);
    meanDyXhat[k] = sumDyXhat / static_cast<double>(rows);
  }
  const int threads = threadsForKernel(parallel);
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* pdy = dy + r * channels;
    const float* px = x + r * channels;
    float* pdx = dx + r * channels;
    const float* g = reluOut == nullptr ? pdy : maskedRow(pdy, reluOut + r * channels, channels);
    if (dzOut != nullptr) std::memcpy(dzOut + r * channels, g, static_cast<size_t>(channels) * sizeof(float));
    for (int64_t k = 0; k < channels; ++k) {
      const double xhat = (px[k] - mu[k]) * invStd[k];
      pdx[k] = static_cast<float>(factor[k] * (g[k] - meanDy[k] - xhat * meanDyXhat[k]));
    }
  }
  return env.Undefined();
}

/**
 * adamUpdate(w, g, m0, v0, w1, m1, v1, hyper): one Adam step of one weight. m0 and v0 are
 * the previous moments, or null at the first step (zero moments). hyper is a
 * Float64Array [beta1, beta2, epsilon, weightDecay, sqrtC2, stepSize]: weight decay added
 * to the gradient (L2, as tf.train.adam with a decayed loss), the bias corrections folded
 * into sqrtC2 = sqrt(1 - beta2^t) and stepSize = lr / (1 - beta1^t).
 */
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = floatLength(info, 0, "w");
  const float* w = floatArg(info, 0, n, "w");
  const float* g = floatArg(info, 1, n, "g");
  const bool hasMoments = !info[2].IsNull();
  if (hasMoments == info[3].IsNull()) throw Napi::TypeError::New(env, "adamUpdate: m0 and v0 must both be given or both null");
  const float* m0 = hasMoments ? floatArg(info, 2, n, "m0") : nullptr;
  const float* v0 = hasMoments ? floatArg(info, 3, n, "v0") : nullptr;
  float* w1 = floatArg(info, 4, n, "w1");
  float* m1 = floatArg(info, 5, n, "m1");
  float* v1 = floatArg(info, 6, n, "v1");
  if (info.Length() <= 7 || !info[7].IsTypedArray() ||
      info[7].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[7].As<Napi::Float64Array>().ElementLength() != 6) {
    throw Napi::TypeError::New(env, "adamUpdate: hyper must be a Float64Array of 6 values");
  }
  const double* h = info[7].As<Napi::Float64Array>().Data();
  const double beta1 = h[0], beta2 = h[1], epsilon = h[2], weightDecay = h[3], sqrtC2 = h[4], stepSize = h[5];
  const auto count = static_cast<int64_t>(n);
  const int threads = threadsForKernel(count >= parallelElements());
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(static)
  for (int64_t i = 0; i < count; ++i) {
    const double wi = w[i];
    const double gi = weightDecay > 0 ? g[i] + wi * weightDecay : static_cast<double>(g[i]);
    const double mi = hasMoments ? m0[i] * beta1 + gi * (1 - beta1) : gi * (1 - beta1);
    const double vi = hasMoments ? v0[i] * beta2 + gi * gi * (1 - beta2) : gi * gi * (1 - beta2);
    m1[i] = static_cast<float>(mi);
    v1[i] = static_cast<float>(vi);
    w1[i] = static_cast<float>(wi - (mi / (std::sqrt(vi) / sqrtC2 + epsilon)) * stepSize);
  }
  return env.Undefined();
}

/**
 * copyRows(src, srcStride, srcOffset, dst, dstStride, dstOffset, rows, run): for r < rows,
 * copies run floats from src[r * srcStride + srcOffset] to dst[r * dstStride + dstOffset].
 * Concatenation and splits along an inner axis are one call per input / output.
 */
Napi::Value CopyRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t srcLength = floatLength(info, 0, "src");
  const size_t dstLength = floatLength(info, 3, "dst");
  const auto srcStride = static_cast<int64_t>(numberArg(info, 1, "srcStride"));
  const auto srcOffset = static_cast<int64_t>(numberArg(info, 2, "srcOffset"));
  const auto dstStride = static_cast<int64_t>(numberArg(info, 4, "dstStride"));
  const auto dstOffset = static_cast<int64_t>(numberArg(info, 5, "dstOffset"));
  const auto rows = static_cast<int64_t>(numberArg(info, 6, "rows"));
  const auto run = static_cast<int64_t>(numberArg(info, 7, "run"));
  if (rows < 0 || run < 0 || srcStride < 0 || dstStride < 0 || srcOffset < 0 || dstOffset < 0) {
    throw Napi::RangeError::New(env, "copyRows: negative size, stride or offset");
  }
  if (rows == 0 || run == 0) return env.Undefined();
  if ((rows - 1) * srcStride + srcOffset + run > static_cast<int64_t>(srcLength) ||
      (rows - 1) * dstStride + dstOffset + run > static_cast<int64_t>(dstLength)) {
    throw Napi::RangeError::New(env, "copyRows: rows reach past the end of an array");
  }
  const float* src = floatArg(info, 0, srcLength, "src");
  float* dst = floatArg(info, 3, dstLength, "dst");
  const int threads = threadsForKernel(rows * run >= parallelElements());
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(dst + r * dstStride + dstOffset, src + r * srcStride + srcOffset, static_cast<size_t>(run) * sizeof(float));
  }
  return env.Undefined();
}

/** The row length `classes` at argument `index`: at least 1, and a divisor of the `n` values. */
int64_t rowLength(const Napi::CallbackInfo& info, size_t index, size_t n, const char* what) {
  const auto classes = static_cast<int64_t>(numberArg(info, index, "classes"));
  if (classes < 1 || static_cast<int64_t>(n) % classes != 0) {
    throw Napi::RangeError::New(info.Env(), std::string(what) + ": classes must be at least 1 and divide the length");
  }
  return classes;
}

/**
 * logSoftmaxRows(x, y, classes): y = x - max - log(sum(exp(x - max))) over each row of
 * `classes` values, in double precision as the runtime's JavaScript loop
 * (runtime/backend/log-softmax.ts); rows split across threads.
 */
Napi::Value LogSoftmaxRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = floatLength(info, 0, "x");
  const int64_t classes = rowLength(info, 2, n, "logSoftmaxRows");
  const float* x = floatArg(info, 0, n, "x");
  float* y = floatArg(info, 1, n, "y");
  const int64_t rows = static_cast<int64_t>(n) / classes;
  const int threads = threadsForKernel(static_cast<int64_t>(n) >= parallelElements());
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * classes;
    float* yr = y + r * classes;
    double max = -INFINITY;
    for (int64_t i = 0; i < classes; ++i) max = xr[i] > max ? xr[i] : max;
    double sum = 0;
    for (int64_t i = 0; i < classes; ++i) sum += std::exp(static_cast<double>(xr[i]) - max);
    const double shift = max + std::log(sum);
    for (int64_t i = 0; i < classes; ++i) yr[i] = static_cast<float>(xr[i] - shift);
  }
  return env.Undefined();
}

/** logSoftmaxGradRows(dy, y, dx, classes): dx = dy - exp(y) * sum(dy) over each row. */
Napi::Value LogSoftmaxGradRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = floatLength(info, 0, "dy");
  const int64_t classes = rowLength(info, 3, n, "logSoftmaxGradRows");
  const float* dy = floatArg(info, 0, n, "dy");
  const float* y = floatArg(info, 1, n, "y");
  float* dx = floatArg(info, 2, n, "dx");
  const int64_t rows = static_cast<int64_t>(n) / classes;
  const int threads = threadsForKernel(static_cast<int64_t>(n) >= parallelElements());
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* dyr = dy + r * classes;
    const float* yr = y + r * classes;
    float* dxr = dx + r * classes;
    double sum = 0;
    for (int64_t i = 0; i < classes; ++i) sum += dyr[i];
    for (int64_t i = 0; i < classes; ++i) dxr[i] = static_cast<float>(dyr[i] - std::exp(static_cast<double>(yr[i])) * sum);
  }
  return env.Undefined();
}

}  // namespace

void initTraining(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTrainForward", Napi::Function::New(env, BatchNormTrainForward, "batchNormTrainForward"));
  exports.Set("batchNormTrainBackward", Napi::Function::New(env, BatchNormTrainBackward, "batchNormTrainBackward"));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate, "adamUpdate"));
  exports.Set("copyRows", Napi::Function::New(env, CopyRows, "copyRows"));
  exports.Set("logSoftmaxRows", Napi::Function::New(env, LogSoftmaxRows, "logSoftmaxRows"));
  exports.Set("logSoftmaxGradRows", Napi::Function::New(env, LogSoftmaxGradRows, "logSoftmaxGradRows"));
}

}  // namespace mtsl
