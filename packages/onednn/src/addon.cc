// Entry point of the mtsl-onednn addon: engine, stream, helpers and the module's exports.
#include <omp.h>

#include <cstdlib>

#include "common.h"

namespace mtsl {

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

namespace {
int configured = 0;  // 0 until first asked: OpenMP's default then
int current = -1;    // the count last given to omp_set_num_threads
}  // namespace

int configuredThreads() {
  if (configured == 0) configured = omp_get_max_threads();
  return configured;
}

void setConfiguredThreads(int n) {
  configured = n;
  current = -1;
  clearConvolutionCache();
  clearMatMulCache();
}

int threadsForKernel(bool parallel) {
  const int n = parallel ? configuredThreads() : 1;
  if (n != current) {
    omp_set_num_threads(n);
    current = n;
  }
  return n;
}

size_t floatLength(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string("argument '") + name + "' must be a Float32Array");
  }
  return info[index].As<Napi::Float32Array>().ElementLength();
}

double numberArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string("argument '") + name + "' must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

float* floatArg(const Napi::CallbackInfo& info, size_t index, size_t expected, const char* name) {
  Napi::Env env = info.Env();
  floatLength(info, index, name);
  auto array = info[index].As<Napi::Float32Array>();
  if (array.ElementLength() != expected) {
    throw Napi::RangeError::New(env, std::string("argument '") + name + "' has " +
                                         std::to_string(array.ElementLength()) + " elements, expected " +
                                         std::to_string(expected));
  }
  return array.Data();
}

float* optionalFloatArg(const Napi::CallbackInfo& info, size_t index, size_t expected, const char* name) {
  if (info.Length() <= index || info[index].IsUndefined() || info[index].IsNull()) return nullptr;
  return floatArg(info, index, expected, name);
}

std::vector<int64_t> intArgs(const Napi::CallbackInfo& info, size_t index, size_t count, const char* name) {
  Napi::Env env = info.Env();
  if (info.Length() <= index || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(env, std::string("argument '") + name + "' must be an Int32Array");
  }
  auto array = info[index].As<Napi::Int32Array>();
  if (array.ElementLength() != count) {
    throw Napi::RangeError::New(env, std::string("argument '") + name + "' must have " + std::to_string(count) +
                                         " elements");
  }
  return std::vector<int64_t>(array.Data(), array.Data() + count);
}

int64_t parallelElements() {
  static const int64_t value = [] {
    const char* text = std::getenv("MTSL_ONEDNN_PARALLEL_ELEMENTS");
    if (text == nullptr || *text == '\0') return int64_t{1} << 18;
    char* end = nullptr;
    const long long parsed = std::strtoll(text, &end, 10);
    return *end == '\0' && parsed > 0 ? static_cast<int64_t>(parsed) : int64_t{1} << 18;
  }();
  return value;
}

void requirePositive(Napi::Env env, const std::vector<int64_t>& values, size_t first, size_t last, const char* what) {
  for (size_t i = first; i < last; ++i) {
    if (values[i] <= 0) {
      throw Napi::RangeError::New(env, std::string(what) + ": sizes must be positive");
    }
  }
}

void throwDnnl(Napi::Env env, const char* op, const dnnl::error& e) {
  throw Napi::Error::New(env, std::string("oneDNN ") + op + " failed: " + e.what() + " (status " +
                                  std::to_string(static_cast<int>(e.status)) + ")");
}


}  // namespace mtsl

namespace {

/** info(): the oneDNN version, its CPU runtime and the number of threads it uses. */
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const dnnl_version_t* v = dnnl_version();
  Napi::Object result = Napi::Object::New(env);
  result.Set("version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  result.Set("runtime", "OpenMP");
  result.Set("threads", mtsl::configuredThreads());
  result.Set("isa", static_cast<int>(dnnl::get_effective_cpu_isa()));
  return result;
}

/**
 * setThreads(n): the number of threads oneDNN and the OpenMP loops use from now on for
 * kernels large enough to gain from more than one (mtsl::threadsForKernel).
 */
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
    throw Napi::RangeError::New(env, "setThreads: expected a positive integer");
  }
  mtsl::setConfiguredThreads(info[0].As<Napi::Number>().Int32Value());
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  mtsl::initConvolution(env, exports);
  mtsl::initMatMul(env, exports);
  mtsl::initResample(env, exports);
  mtsl::initEltwise(env, exports);
  mtsl::initPool(env, exports);
  mtsl::initTraining(env, exports);
  mtsl::initMaxPool(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(mtsl_onednn, Init)
