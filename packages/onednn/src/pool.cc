// Output buffers for kernels: Float32Arrays over memory this addon keeps and reuses.
//
// A fresh multi-megabyte ArrayBuffer costs a page fault per 4 KiB on first touch
// (about 5 ms for 4 MiB on our shared VMs, ten times the convolution that fills it).
// Buffers made here are external ArrayBuffers; when V8 collects one, its memory goes
// back to a free list keyed by size and is handed out again, already mapped. (V8 counts
// external ArrayBuffer memory itself when it decides to collect garbage.)
#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common.h"

namespace mtsl {
namespace {

constexpr size_t kAlignment = 64;
constexpr size_t kHugePage = size_t(2) << 20;
/** Free memory kept for reuse at most (bytes); beyond it freed buffers are released. */
constexpr size_t kMaxCached = size_t(1) << 30;

std::mutex poolMutex;
std::unordered_map<size_t, std::vector<void*>> freeLists;
size_t cachedBytes = 0;

void* take(size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(poolMutex);
    auto it = freeLists.find(bytes);
    if (it != freeLists.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      cachedBytes -= bytes;
      return p;
    }
  }
  // Large buffers on 2 MiB boundaries with transparent huge pages: one fault per 2 MiB.
  if (bytes >= kHugePage) {
    const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (p != nullptr) madvise(p, rounded, MADV_HUGEPAGE);
    return p;
  }
  return std::aligned_alloc(kAlignment, bytes);
}

void giveBack(void* p, size_t bytes) {
  std::lock_guard<std::mutex> lock(poolMutex);
  if (cachedBytes + bytes > kMaxCached) {
    std::free(p);
    return;
  }
  freeLists[bytes].push_back(p);
  cachedBytes += bytes;
}

/** allocFloat32(length): an uninitialised Float32Array of `length` elements from the pool. */
Napi::Value AllocFloat32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "allocFloat32: length must be a number");
  const int64_t length = info[0].As<Napi::Number>().Int64Value();
  if (length <= 0 || length > (int64_t(1) << 32)) throw Napi::RangeError::New(env, "allocFloat32: bad length");
  const size_t bytes = (static_cast<size_t>(length) * sizeof(float) + kAlignment - 1) / kAlignment * kAlignment;
  void* data = take(bytes);
  if (data == nullptr) throw Napi::Error::New(env, "allocFloat32: out of memory");
  auto* hint = new size_t(bytes);
  auto buffer = Napi::ArrayBuffer::New(
      env, data, static_cast<size_t>(length) * sizeof(float),
      [](Napi::Env, void* p, size_t* size) {
        giveBack(p, *size);
        delete size;
      },
      hint);
  return Napi::Float32Array::New(env, static_cast<size_t>(length), buffer, 0);
}

/** poolStats(): bytes kept in the free lists. */
Napi::Value PoolStats(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(poolMutex);
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("cachedBytes", static_cast<double>(cachedBytes));
  return result;
}

}  // namespace

void initPool(Napi::Env env, Napi::Object exports) {
  exports.Set("allocFloat32", Napi::Function::New(env, AllocFloat32, "allocFloat32"));
  exports.Set("poolStats", Napi::Function::New(env, PoolStats, "poolStats"));
}

}  // namespace mtsl
