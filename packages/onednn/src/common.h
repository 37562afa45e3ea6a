// Shared helpers of the mtsl-onednn addon: the CPU engine and stream, argument checks,
// and the conversion of oneDNN errors into JavaScript exceptions.
#pragma once

#include <napi.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <string>
#include <vector>

/**
 * Compiles a function twice, for AVX2 and for the baseline x86-64, and picks one when the
 * addon loads (GCC's function multi-versioning). The same operations in the same order (no
 * FMA contraction: AVX2 alone does not enable FMA), so both give the same bits. Elsewhere
 * (another compiler or architecture) one baseline version.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MTSL_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MTSL_AVX2_CLONES
#endif

namespace mtsl {

/** The process-wide oneDNN CPU engine. */
dnnl::engine& cpuEngine();

/** The process-wide in-order stream on the CPU engine. */
dnnl::stream& cpuStream();

/** Returns the length of argument `index`, which must be a Float32Array; throws a JavaScript TypeError otherwise. */
size_t floatLength(const Napi::CallbackInfo& info, size_t index, const char* name);

/** Returns argument `index`, which must be a number; throws a JavaScript TypeError otherwise. */
double numberArg(const Napi::CallbackInfo& info, size_t index, const char* name);

/**
 * Returns the data of argument `index`, which must be a Float32Array of exactly
 * `expected` elements; throws a JavaScript TypeError otherwise.
 */
float* floatArg(const Napi::CallbackInfo& info, size_t index, size_t expected, const char* name);

/**
 * Returns the data of argument `index` when it is a Float32Array of exactly `expected`
 * elements, nullptr when it is absent, undefined or null; throws a JavaScript TypeError otherwise.
 */
float* optionalFloatArg(const Napi::CallbackInfo& info, size_t index, size_t expected, const char* name);

/**
 * Returns argument `index` as integers: it must be an Int32Array of exactly `count`
 * elements; throws a JavaScript TypeError otherwise.
 */
std::vector<int64_t> intArgs(const Napi::CallbackInfo& info, size_t index, size_t count, const char* name);

/** Throws a JavaScript RangeError unless every value is positive. */
void requirePositive(Napi::Env env, const std::vector<int64_t>& values, size_t first, size_t last, const char* what);

/** Rethrows a dnnl::error as a JavaScript Error whose message names the operation. */
[[noreturn]] void throwDnnl(Napi::Env env, const char* op, const dnnl::error& e);

/**
 * Work below which a kernel runs on one thread: on these small tensors waking a second
 * OpenMP thread (and, on a busy machine, waiting a time slice for it) costs more than it
 * saves. Measured on the 2-core development machine (docs/onednn.md): 3x3 convolutions
 * of up to ~75 MFLOP ran no faster on 2 threads; from ~300 MFLOP 2 threads gave 1.4-1.7x.
 */
constexpr double kParallelFlops = 1e8;
/**
 * Element-wise loops (and resampling, pooling, batch norm, Adam): elements below which they
 * run on one thread. 2^18 unless MTSL_ONEDNN_PARALLEL_ELEMENTS (a positive integer) says
 * otherwise, read once: a setting of the machine, measured by `npm run bench:train`.
 */
int64_t parallelElements();

/** The thread count set by setThreads (default: OpenMP's, i.e. OMP_NUM_THREADS or every core). */
int configuredThreads();

/**
 * Sets OpenMP's thread count for the kernel about to run: every configured thread when
 * `parallel`, else one. Returns that count. Convolution and matmul primitives are cached
 * per geometry and built under the count their geometry always gets, so a primitive is
 * never run with a different count than it was built for.
 */
int threadsForKernel(bool parallel);

/** Sets the thread count of setThreads and drops the primitives built for the old one. */
void setConfiguredThreads(int n);

/** Drops the cached convolution primitives (setThreads: their work split depends on the count). */
void clearConvolutionCache();
/** Drops the cached matmul primitives. */
void clearMatMulCache();

/** Registers the convolution functions on `exports`. */
void initConvolution(Napi::Env env, Napi::Object exports);
/** Registers the matrix-multiplication functions on `exports`. */
void initMatMul(Napi::Env env, Napi::Object exports);
/** Registers the bilinear resampling functions on `exports`. */
void initResample(Napi::Env env, Napi::Object exports);
/** Registers the buffer-pool functions on `exports`. */
void initPool(Napi::Env env, Napi::Object exports);
/** Registers the element-wise functions on `exports`. */
void initEltwise(Napi::Env env, Napi::Object exports);
/** Registers the max-pooling forward loop on `exports`. */
void initMaxPool(Napi::Env env, Napi::Object exports);
/** Registers the training-step loops (batch norm, Adam, row copies) on `exports`. */
void initTraining(Napi::Env env, Napi::Object exports);

}  // namespace mtsl
