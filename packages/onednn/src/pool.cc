// Output buffers for kernels: Float32Arrays over memory this addon maps and releases.
//
// A fresh multi-megabyte ArrayBuffer costs a page fault per 4 KiB on first touch (about
// 5 ms for 4 MiB on our shared VMs, ten times the convolution that fills it), so large
// buffers are mapped on 2 MiB boundaries with transparent huge pages: one fault per 2 MiB.
//
// Release is deterministic. Node runs the finaliser of an external ArrayBuffer only when the
// event loop turns (a SetImmediate after the garbage collector freed it), and a training
// epoch is one synchronous loop: buffers dropped during it were measured to stay mapped
// until it ended (RSS grew 55 MB per step, 24 GB in four epochs). So the JavaScript side,
// which knows when nothing else can hold a buffer (tensor-data.js: owned arrays), calls
// releaseFloat32: the ArrayBuffer is detached (its view reads as empty) and its memory is
// unmapped at once; the finaliser, whenever it runs, then does nothing. Buffers that
// escaped to other holders are released by their finaliser as before.
#include <sys/mman.h>

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "common.h"

namespace mtsl {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;

/** One mapping: its size, and whether it was released already (finaliser then skips it). */
struct Mapping {
  size_t bytes;
  bool released;
};

std::mutex poolMutex;
/** Live mappings by address: releaseFloat32 only unmaps memory this file mapped. */
std::unordered_map<void*, Mapping*> live;
size_t mappedBytes = 0;
size_t peakMappedBytes = 0;
double releasedCount = 0;
double finalisedCount = 0;

/** `bytes` (a multiple of 2 MiB) of zeroed memory on a 2 MiB boundary, or nullptr. */
void* map(size_t bytes) {
  void* raw = mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t tail = aligned + bytes;
  const uintptr_t end = start + bytes + kHugePage;
  if (end > tail) munmap(reinterpret_cast<void*>(tail), end - tail);
  void* p = reinterpret_cast<void*>(aligned);
  madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

/** Unmaps `p` unless it was unmapped already; called with poolMutex held. */
void unmapLocked(void* p, Mapping* m) {
  if (m->released) return;
  m->released = true;
  munmap(p, m->bytes);
  mappedBytes -= m->bytes;
  live.erase(p);
}

/** allocFloat32(length): an uninitialised Float32Array of `length` elements, freshly mapped. */
Napi::Value AllocFloat32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "allocFloat32: length must be a number");
  const int64_t length = info[0].As<Napi::Number>().Int64Value();
  if (length <= 0 || length > (int64_t(1) << 32)) throw Napi::RangeError::New(env, "allocFloat32: bad length");
  const size_t bytes = (static_cast<size_t>(length) * sizeof(float) + kHugePage - 1) / kHugePage * kHugePage;
  void* data = map(bytes);
  if (data == nullptr) throw Napi::Error::New(env, "allocFloat32: out of memory");
  auto* mapping = new Mapping{bytes, false};
  {
    std::lock_guard<std::mutex> lock(poolMutex);
    live[data] = mapping;
    mappedBytes += bytes;
    if (mappedBytes > peakMappedBytes) peakMappedBytes = mappedBytes;
  }
  auto buffer = Napi::ArrayBuffer::New(
      env, data, static_cast<size_t>(length) * sizeof(float),
      [](Napi::Env, void* p, Mapping* m) {
        {
          std::lock_guard<std::mutex> lock(poolMutex);
          if (!m->released) finalisedCount++;
          unmapLocked(p, m);
        }
        delete m;
      },
      mapping);
  return Napi::Float32Array::New(env, static_cast<size_t>(length), buffer, 0);
}

/**
 * releaseFloat32(array): detaches the buffer of an array allocFloat32 made and unmaps its
 * memory now. The caller guarantees nothing reads the array again. Returns false (and does
 * nothing) for any other array.
 */
Napi::Value ReleaseFloat32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) return Napi::Boolean::New(env, false);
  Napi::TypedArray array = info[0].As<Napi::TypedArray>();
  Napi::ArrayBuffer buffer = array.ArrayBuffer();
  // Only the whole array allocFloat32 returned, never a view of part of it.
  if (array.ByteOffset() != 0 || array.ByteLength() != buffer.ByteLength()) return Napi::Boolean::New(env, false);
  void* data = buffer.Data();
  std::lock_guard<std::mutex> lock(poolMutex);
  auto it = live.find(data);
  if (it == live.end() || buffer.IsDetached()) return Napi::Boolean::New(env, false);
  buffer.Detach();
  releasedCount++;
  unmapLocked(data, it->second);
  return Napi::Boolean::New(env, true);
}

/** poolStats(): bytes mapped now and at most, buffers released early and by finaliser. */
Napi::Value PoolStats(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(poolMutex);
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("mappedBytes", static_cast<double>(mappedBytes));
  result.Set("peakMappedBytes", static_cast<double>(peakMappedBytes));
  result.Set("released", releasedCount);
  result.Set("finalised", finalisedCount);
  return result;
}

}  // namespace

void initPool(Napi::Env env, Napi::Object exports) {
  exports.Set("allocFloat32", Napi::Function::New(env, AllocFloat32, "allocFloat32"));
  exports.Set("releaseFloat32", Napi::Function::New(env, ReleaseFloat32, "releaseFloat32"));
  exports.Set("poolStats", Napi::Function::New(env, PoolStats, "poolStats"));
}

}  // namespace mtsl
