// Batched matrix multiplication C[b] = op(A[b]) * op(B[b]) with optional transposes,
// in row-major float32 buffers. A batch of 1 on either side is broadcast.
#include <array>
#include <map>
#include <memory>

#include "common.h"

namespace mtsl {
namespace {

using dnnl::memory;
using dt = memory::data_type;

/** Key: batchA, batchB, m, k, n, transposeA, transposeB. */
using Key = std::array<int64_t, 7>;

struct MatMul {
  dnnl::matmul prim;
  memory a, b, c;
};

std::map<Key, std::unique_ptr<MatMul>> cache;

MatMul& matMulFor(const Key& key) {
  auto& slot = cache[key];
  if (!slot) {
    const auto [batchA, batchB, m, k, n, ta, tb] = key;
    const int64_t batch = std::max(batchA, batchB);
    memory::desc aMd({batchA, m, k}, dt::f32, ta ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
    memory::desc bMd({batchB, k, n}, dt::f32, tb ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
    memory::desc cMd({batch, m, n}, dt::f32, memory::dims{m * n, n, 1});
    dnnl::matmul::desc d(aMd, bMd, cMd);
    dnnl::matmul::primitive_desc pd(d, cpuEngine());
    auto entry = std::make_unique<MatMul>();
    entry->prim = dnnl::matmul(pd);
    entry->a = memory(aMd, cpuEngine(), DNNL_MEMORY_NONE);
    entry->b = memory(bMd, cpuEngine(), DNNL_MEMORY_NONE);
    entry->c = memory(cMd, cpuEngine(), DNNL_MEMORY_NONE);
    slot = std::move(entry);
  }
  return *slot;
}

/** matMul(a, b, c, [batchA, batchB, m, k, n, transposeA, transposeB]). */
Napi::Value MatMulFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto v = intArgs(info, 3, 7, "shape");
  requirePositive(env, v, 0, 5, "matMul");
  if (v[0] != v[1] && v[0] != 1 && v[1] != 1) {
    throw Napi::RangeError::New(env, "matMul: batch sizes must be equal or one of them 1");
  }
  Key key;
  std::copy(v.begin(), v.end(), key.begin());
  key[5] = key[5] != 0;
  key[6] = key[6] != 0;
  const auto [batchA, batchB, m, k, n, ta, tb] = key;
  float* a = floatArg(info, 0, static_cast<size_t>(batchA * m * k), "a");
  float* b = floatArg(info, 1, static_cast<size_t>(batchB * k * n), "b");
  float* c = floatArg(info, 2, static_cast<size_t>(std::max(batchA, batchB) * m * n), "c");
  try {
    threadsForKernel(2.0 * static_cast<double>(std::max(batchA, batchB) * m) * static_cast<double>(k * n) >=
                     kParallelFlops);
    MatMul& mm = matMulFor(key);
    mm.a.set_data_handle(a);
    mm.b.set_data_handle(b);
    mm.c.set_data_handle(c);
    auto& stream = cpuStream();
    mm.prim.execute(stream, {{DNNL_ARG_SRC, mm.a}, {DNNL_ARG_WEIGHTS, mm.b}, {DNNL_ARG_DST, mm.c}});
    stream.wait();
  } catch (const dnnl::error& e) {
    throwDnnl(env, "matmul", e);
  }
  return env.Undefined();
}

}  // namespace

void clearMatMulCache() { cache.clear(); }

void initMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, MatMulFn, "matMul"));
}

}  // namespace mtsl
