// 2-D convolution in NHWC with TensorFlow's HWIO filters: forward, backward data and
// backward weights, any strides, dilations and (asymmetric) paddings. Primitives are
// created once per geometry and cached; activations stay in the caller's NHWC buffers,
// filters are reordered to and from the layout oneDNN prefers.
#include <array>
#include <map>
#include <memory>

#include "common.h"

namespace mtsl {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

/** Geometry: n, h, w, c, oc, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr (dilation 1 = dense). */
constexpr size_t kGeometrySize = 17;
using Geometry = std::array<int64_t, kGeometrySize>;

struct Shapes {
  memory::desc src, dst, userWeights, anyWeights;
  memory::dims strides, dilates, padL, padR;
};

Shapes shapesOf(const Geometry& g) {
  const auto [n, h, w, c, oc, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr] = g;
  return Shapes{memory::desc({n, c, h, w}, dt::f32, tag::nhwc),
                memory::desc({n, oc, oh, ow}, dt::f32, tag::nhwc),
                memory::desc({oc, c, kh, kw}, dt::f32, tag::hwio),
                memory::desc({oc, c, kh, kw}, dt::f32, tag::any),
                {sh, sw},
                {dh - 1, dw - 1},
                {pt, pl},
                {pb, pr}};
}

dnnl::convolution_forward::primitive_desc forwardPd(const Shapes& s) {
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, s.src,
                                    s.anyWeights, s.dst, s.strides, s.dilates, s.padL, s.padR);
  return dnnl::convolution_forward::primitive_desc(d, cpuEngine());
}

/** A filter in TF's HWIO layout and, when oneDNN wants another one, its reordered copy. */
struct Weights {
  memory user;
  memory inner;
  dnnl::reorder toInner;    // user -> inner (forward, backward data)
  dnnl::reorder fromInner;  // inner -> user (backward weights)
  bool same = true;

  Weights(const memory::desc& userMd, const memory::desc& innerMd, bool toUser) {
    auto& eng = cpuEngine();
    user = memory(userMd, eng, DNNL_MEMORY_NONE);
    same = userMd == innerMd;
    if (same) {
      inner = user;
    } else {
      inner = memory(innerMd, eng);
      if (toUser) {
        fromInner = dnnl::reorder(inner, user);
      } else {
        toInner = dnnl::reorder(user, inner);
      }
    }
  }
};

struct Forward {
  dnnl::convolution_forward prim;
  memory src, dst;
  std::unique_ptr<Weights> weights;
};

struct BackwardData {
  dnnl::convolution_backward_data prim;
  memory diffSrc, diffDst;
  std::unique_ptr<Weights> weights;
};

struct BackwardWeights {
  dnnl::convolution_backward_weights prim;
  memory src, diffDst;
  std::unique_ptr<Weights> diffWeights;
};

std::map<Geometry, std::unique_ptr<Forward>> forwardCache;
std::map<Geometry, std::unique_ptr<BackwardData>> backwardDataCache;
std::map<Geometry, std::unique_ptr<BackwardWeights>> backwardWeightsCache;

Geometry readGeometry(const Napi::CallbackInfo& info, size_t index) {
  auto v = intArgs(info, index, kGeometrySize, "geometry");
  requirePositive(info.Env(), v, 0, 13, "conv2d");
  for (size_t i = 13; i < kGeometrySize; ++i) {
    if (v[i] < 0) throw Napi::RangeError::New(info.Env(), "conv2d: paddings must not be negative");
  }
  // The output size oneDNN derives must be the one the caller allocated.
  for (int axis = 0; axis < 2; ++axis) {
    const int64_t in = v[1 + axis], k = v[5 + axis], out = v[7 + axis], s = v[9 + axis], d = v[11 + axis];
    const int64_t span = (k - 1) * d + 1;
    const int64_t expected = (in - span + v[13 + axis] + v[15 + axis]) / s + 1;
    if (in - span + v[13 + axis] + v[15 + axis] < 0 || expected != out) {
      throw Napi::RangeError::New(info.Env(), "conv2d: output size does not match input, filter, strides and paddings");
    }
  }
  Geometry g;
  std::copy(v.begin(), v.end(), g.begin());
  return g;
}

Forward& forwardFor(const Geometry& g) {
  auto& slot = forwardCache[g];
  if (!slot) {
    Shapes s = shapesOf(g);
    auto pd = forwardPd(s);
    auto entry = std::make_unique<Forward>();
    entry->prim = dnnl::convolution_forward(pd);
    entry->src = memory(pd.src_desc(), cpuEngine(), DNNL_MEMORY_NONE);
    entry->dst = memory(pd.dst_desc(), cpuEngine(), DNNL_MEMORY_NONE);
    entry->weights = std::make_unique<Weights>(s.userWeights, pd.weights_desc(), false);
    slot = std::move(entry);
  }
  return *slot;
}

BackwardData& backwardDataFor(const Geometry& g) {
  auto& slot = backwardDataCache[g];
  if (!slot) {
    Shapes s = shapesOf(g);
    auto hint = forwardPd(s);
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, s.src, s.anyWeights, s.dst,
                                            s.strides, s.dilates, s.padL, s.padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
    auto entry = std::make_unique<BackwardData>();
    entry->prim = dnnl::convolution_backward_data(pd);
    entry->diffSrc = memory(pd.diff_src_desc(), cpuEngine(), DNNL_MEMORY_NONE);
    entry->diffDst = memory(pd.diff_dst_desc(), cpuEngine(), DNNL_MEMORY_NONE);
    entry->weights = std::make_unique<Weights>(s.userWeights, pd.weights_desc(), false);
    slot = std::move(entry);
  }
  return *slot;
}

BackwardWeights& backwardWeightsFor(const Geometry& g) {
  auto& slot = backwardWeightsCache[g];
  if (!slot) {
    Shapes s = shapesOf(g);
    auto hint = forwardPd(s);
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, s.src, s.anyWeights, s.dst,
                                               s.strides, s.dilates, s.padL, s.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, cpuEngine(), hint);
    auto entry = std::make_unique<BackwardWeights>();
    entry->prim = dnnl::convolution_backward_weights(pd);
    entry->src = memory(pd.src_desc(), cpuEngine(), DNNL_MEMORY_NONE);
    entry->diffDst = memory(pd.diff_dst_desc(), cpuEngine(), DNNL_MEMORY_NONE);
    entry->diffWeights = std::make_unique<Weights>(s.userWeights, pd.diff_weights_desc(), true);
    slot = std::move(entry);
  }
  return *slot;
}

/** Multiply-adds x 2 of the convolution (the same for its two gradients). */
double flopsOf(const Geometry& g) {
  return 2.0 * static_cast<double>(g[0] * g[7] * g[8] * g[4]) * static_cast<double>(g[5] * g[6] * g[3]);
}

size_t srcSize(const Geometry& g) { return static_cast<size_t>(g[0] * g[1] * g[2] * g[3]); }
size_t dstSize(const Geometry& g) { return static_cast<size_t>(g[0] * g[7] * g[8] * g[4]); }
size_t weightsSize(const Geometry& g) { return static_cast<size_t>(g[5] * g[6] * g[3] * g[4]); }

/** conv2dForward(x, filter, y, geometry): y = conv(x, filter). */
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  Geometry g = readGeometry(info, 3);
  float* x = floatArg(info, 0, srcSize(g), "x");
  float* w = floatArg(info, 1, weightsSize(g), "filter");
  float* y = floatArg(info, 2, dstSize(g), "y");
  try {
    threadsForKernel(flopsOf(g) >= kParallelFlops);
    Forward& f = forwardFor(g);
    auto& stream = cpuStream();
    f.src.set_data_handle(x);
    f.dst.set_data_handle(y);
    f.weights->user.set_data_handle(w);
    if (!f.weights->same) f.weights->toInner.execute(stream, f.weights->user, f.weights->inner);
    f.prim.execute(stream, {{DNNL_ARG_SRC, f.src}, {DNNL_ARG_WEIGHTS, f.weights->inner}, {DNNL_ARG_DST, f.dst}});
    stream.wait();
  } catch (const dnnl::error& e) {
    throwDnnl(info.Env(), "conv2d forward", e);
  }
  return info.Env().Undefined();
}

/** conv2dBackwardData(dy, filter, dx, geometry): dx = gradient of the input. */
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) {
  Geometry g = readGeometry(info, 3);
  float* dy = floatArg(info, 0, dstSize(g), "dy");
  float* w = floatArg(info, 1, weightsSize(g), "filter");
  float* dx = floatArg(info, 2, srcSize(g), "dx");
  try {
    threadsForKernel(flopsOf(g) >= kParallelFlops);
    BackwardData& b = backwardDataFor(g);
    auto& stream = cpuStream();
    b.diffDst.set_data_handle(dy);
    b.diffSrc.set_data_handle(dx);
    b.weights->user.set_data_handle(w);
    if (!b.weights->same) b.weights->toInner.execute(stream, b.weights->user, b.weights->inner);
    b.prim.execute(stream,
                   {{DNNL_ARG_DIFF_DST, b.diffDst}, {DNNL_ARG_WEIGHTS, b.weights->inner}, {DNNL_ARG_DIFF_SRC, b.diffSrc}});
    stream.wait();
  } catch (const dnnl::error& e) {
    throwDnnl(info.Env(), "conv2d backward data", e);
  }
  return info.Env().Undefined();
}

/** conv2dBackwardWeights(x, dy, dw, geometry): dw = gradient of the filter. */
Napi::Value Conv2dBackwardWeights(const Napi::CallbackInfo& info) {
  Geometry g = readGeometry(info, 3);
  float* x = floatArg(info, 0, srcSize(g), "x");
  float* dy = floatArg(info, 1, dstSize(g), "dy");
  float* dw = floatArg(info, 2, weightsSize(g), "dw");
  try {
    threadsForKernel(flopsOf(g) >= kParallelFlops);
    BackwardWeights& b = backwardWeightsFor(g);
    auto& stream = cpuStream();
    b.src.set_data_handle(x);
    b.diffDst.set_data_handle(dy);
    b.diffWeights->user.set_data_handle(dw);
    b.prim.execute(stream,
                   {{DNNL_ARG_SRC, b.src}, {DNNL_ARG_DIFF_DST, b.diffDst}, {DNNL_ARG_DIFF_WEIGHTS, b.diffWeights->inner}});
    if (!b.diffWeights->same) b.diffWeights->fromInner.execute(stream, b.diffWeights->inner, b.diffWeights->user);
    stream.wait();
  } catch (const dnnl::error& e) {
    throwDnnl(info.Env(), "conv2d backward weights", e);
  }
  return info.Env().Undefined();
}

}  // namespace

void clearConvolutionCache() {
  forwardCache.clear();
  backwardDataCache.clear();
  backwardWeightsCache.clear();
}

void initConvolution(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Conv2dForward, "conv2dForward"));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, Conv2dBackwardData, "conv2dBackwardData"));
  exports.Set("conv2dBackwardWeights", Napi::Function::New(env, Conv2dBackwardWeights, "conv2dBackwardWeights"));
}

}  // namespace mtsl
