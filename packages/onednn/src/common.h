// Shared helpers of the mtsl-onednn addon: the CPU engine and stream, argument checks,
// and the conversion of oneDNN errors into JavaScript exceptions.
#pragma once

#include <napi.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mtsl {

/** The process-wide oneDNN CPU engine. */
dnnl::engine& cpuEngine();

/** The process-wide in-order stream on the CPU engine. */
dnnl::stream& cpuStream();

/**
 * Returns the data of argument `index`, which must be a Float32Array of exactly
 * `expected` elements; throws a JavaScript TypeError otherwise.
 */
float* floatArg(const Napi::CallbackInfo& info, size_t index, size_t expected, const char* name);

/**
 * Returns argument `index` as integers: it must be an Int32Array of exactly `count`
 * elements; throws a JavaScript TypeError otherwise.
 */
std::vector<int64_t> intArgs(const Napi::CallbackInfo& info, size_t index, size_t count, const char* name);

/** Throws a JavaScript RangeError unless every value is positive. */
void requirePositive(Napi::Env env, const std::vector<int64_t>& values, size_t first, size_t last, const char* what);

/** Rethrows a dnnl::error as a JavaScript Error whose message names the operation. */
[[noreturn]] void throwDnnl(Napi::Env env, const char* op, const dnnl::error& e);

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
/** Registers the buffer-pool functions on `exports`. */
void initPool(Napi::Env env, Napi::Object exports);
/** Registers the element-wise functions on `exports`. */
void initEltwise(Napi::Env env, Napi::Object exports);

}  // namespace mtsl
