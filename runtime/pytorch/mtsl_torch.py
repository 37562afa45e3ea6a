"""An mtsl network in PyTorch, built from its IR JSON (`mtslc compile`, or `model.ir.json` of
`mtslc export MODEL --format pytorch -o DIR`).

The one PyTorch builder of the project: `mtslc export --format pytorch` ships this file, and the
benchmark's PyTorch peer (bench/torch/step.py) imports its `Network`. It computes what the
TensorFlow.js runtime computes (runtime/model/ops.ts, runtime/model/network.ts), in NCHW:

    from mtsl_torch import load
    net = load(DIR)             # the export's network and weights, in eval mode
    outputs = net(x_nchw)       # {task: tensor}: maps [N, C, H, W], vectors [N, C]

Names. `net.owners` is a ModuleDict with one module per stage instance and per head, keyed by the
instance's id (`enc2@seg+depth`, `head@seg`); each is a list of its layers, and each layer's
parameters and buffers carry the names of the runtime's weights. So the runtime's weight key
`enc2@seg/0.conv1.kernel` is the state_dict key `owners.enc2@seg.0.conv1.kernel`: `owners.`, then
the key with its one `/` made a `.` (`state_key`). Conv kernels are PyTorch's OIHW, dense kernels
[out, in]; `moving_mean` and `moving_variance` are batch-norm buffers.

Layer semantics, as in ops.ts:
- conv: TensorFlow's `same` padding (ceil(H / stride), the extra row and column at the bottom and
  right), `valid`, or `symmetric` (k_eff // 2 on every side, PyTorch's), dilation, optional bias.
- bn: in training, the batch's mean and biased variance, and running statistics updated as
  running = m * running + (1 - m) * batch with the unbiased batch variance (PyTorch's momentum
  1 - m); in eval, the running statistics; epsilon from the IR.
- basic: conv3x3(stride)-bn-relu-conv3x3-bn + shortcut (conv1x1(stride)-bn when the channels or the
  stride change), relu. bottleneck: conv1x1-bn-relu-conv3x3(stride)-bn-relu-conv1x1-bn + shortcut,
  relu. Block convolutions have no bias; block batch norms use momentum 0.9 and epsilon 1e-5.
- pool: TensorFlow's padding; the average counts only the cells inside the map.
- gap: the mean over height and width. flatten: in NHWC order, so a dense layer after it reads the
  runtime's layout.
- upsample: bilinear with half-pixel centres (align_corners=False), or nearest-exact.
- concat: the skip's channels after the layer's input's.
- decoder_bottleneck: the input resized bilinearly to the skip's size, concatenated with the skip,
  a bottleneck (1x1, 3x3 padding 1, 1x1) whose residual is the resized input (through a 1x1
  `projection` when the channels differ), relu.
- fuse: a 1x1 convolution of each named stage's output, resized bilinearly to the input's size,
  concatenated.
- dropout: nn.Dropout (the identity in eval).

train.py (shipped beside this file) trains the network; under torchrun it wraps it in
DistributedDataParallel and turns on `sync_batch_norm`, so batch norm's training statistics are
those of every process's batch.

A fresh Network (not from `load`) starts from PyTorch's own draws (kaiming-normal kernels, zero
biases, unit gammas), not the runtime's initialisers.
"""

import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCK_BN_MOMENTUM = 0.9
BLOCK_BN_EPSILON = 1e-5

IR_FILE = "model.ir.json"
WEIGHTS_FILE = "weights.safetensors"


def state_key(weight_key):
    """The state_dict key of a runtime weight key: `enc2@seg/0.conv1.kernel` -> `owners.enc2@seg.0.conv1.kernel`."""
    owner, rest = weight_key.split("/", 1)
    return f"owners.{owner}.{rest}"


def same_pads(size, kernel, stride, dilation):
    """TensorFlow's 'same' padding along one axis: (before, after)."""
    out = -(-size // stride)
    effective = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def window_pads(padding, h, w, kernel, stride, dilation=1):
    """F.pad's (left, right, top, bottom) for a window on an h x w map."""
    if padding == "same":
        top, bottom = same_pads(h, kernel, stride, dilation)
        left, right = same_pads(w, kernel, stride, dilation)
        return (left, right, top, bottom)
    if padding == "symmetric":
        p = ((kernel - 1) * dilation + 1) // 2
        return (p, p, p, p)
    return (0, 0, 0, 0)


def resize_to(x, h, w):
    """x resized bilinearly (half-pixel centres) to h x w; itself when it has that size."""
    if x.shape[2] == h and x.shape[3] == w:
        return x
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)


class Conv(nn.Module):
    """A 2-D convolution with TensorFlow's padding for a known input size: `kernel` OIHW, `bias`."""

    def __init__(self, hw, cin, filters, kernel, stride=1, padding="same", dilation=1, bias=False):
        super().__init__()
        self.stride, self.dilation = stride, dilation
        self.kernel = nn.Parameter(torch.empty(filters, cin, kernel, kernel))
        nn.init.kaiming_normal_(self.kernel, nonlinearity="relu")
        self.bias = nn.Parameter(torch.zeros(filters)) if bias else None
        left, right, top, bottom = window_pads(padding, hw[0], hw[1], kernel, stride, dilation)
        # equal pads go to the convolution itself; TensorFlow's uneven ones through F.pad first
        self.inner = (top, left) if (left == right and top == bottom) else (0, 0)
        self.outer = None if (left == right and top == bottom) else (left, right, top, bottom)

    def forward(self, x):
        if self.outer is not None:
            x = F.pad(x, self.outer)
        return F.conv2d(x, self.kernel, self.bias, self.stride, self.inner, self.dilation)


def sync_batch_norm(on):
    """In training, batch norm takes its statistics over every process of torch.distributed's default
    group (train.py under torchrun), so N processes with batches of b compute what one computes with
    N * b. Off by default."""
    BatchNorm.sync = bool(on)


class BatchNorm(nn.Module):
    """Batch norm over channels (maps [N, C, H, W] or vectors [N, C]): `gamma`, `beta`, running statistics."""

    sync = False

    def __init__(self, channels, momentum=BLOCK_BN_MOMENTUM, epsilon=BLOCK_BN_EPSILON):
        super().__init__()
        self.momentum, self.epsilon = momentum, epsilon
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.register_buffer("moving_mean", torch.zeros(channels))
        self.register_buffer("moving_variance", torch.ones(channels))

    def forward(self, x):
        if self.training and BatchNorm.sync and torch.distributed.is_initialized():
            return self._synced(x)
        # PyTorch updates running = (1 - p) * running + p * batch (unbiased variance): p = 1 - m
        return F.batch_norm(x, self.moving_mean, self.moving_variance, self.gamma, self.beta,
                            self.training, 1.0 - self.momentum, self.epsilon)

    def _synced(self, x):
        """Training-mode batch norm with the statistics of every process's batch: the mean, then the
        biased variance around it (two sums, each all-reduced with its gradient)."""
        from torch.distributed.nn.functional import all_reduce

        dims = [0, 2, 3] if x.dim() == 4 else [0]
        shape = [1, -1, 1, 1] if x.dim() == 4 else [1, -1]
        local = x.numel() // x.shape[1]
        count = all_reduce(torch.tensor([float(local)], device=x.device))
        mean = all_reduce(x.sum(dims)) / count
        centred = x - mean.reshape(shape)
        variance = all_reduce((centred * centred).sum(dims)) / count
        with torch.no_grad():
            n = float(count)
            unbiased = variance * (n / (n - 1)) if n > 1 else variance
            self.moving_mean.mul_(self.momentum).add_(mean.detach() * (1 - self.momentum))
            self.moving_variance.mul_(self.momentum).add_(unbiased.detach() * (1 - self.momentum))
        scale = self.gamma * torch.rsqrt(variance + self.epsilon)
        return centred * scale.reshape(shape) + self.beta.reshape(shape)


class Dense(nn.Module):
    """A dense layer: `kernel` [out, in] (PyTorch's Linear layout), `bias`."""

    def __init__(self, cin, units, bias):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(units, cin))
        nn.init.kaiming_normal_(self.kernel, nonlinearity="relu")
        self.bias = nn.Parameter(torch.zeros(units)) if bias else None

    def forward(self, x):
        return F.linear(x, self.kernel, self.bias)


class Residual(nn.Module):
    """`basic` and `bottleneck`: the main path plus the shortcut, relu."""

    def __init__(self, layer):
        super().__init__()
        h, w, c = layer["inShape"]
        ho, wo, co = layer["outShape"]
        f, s = layer["filters"], layer["stride"]
        pad = layer.get("padding", "same")
        self.bottleneck = layer["op"] == "bottleneck"
        if self.bottleneck:
            self.conv1 = Conv((h, w), c, f, 1, 1, pad)
            self.bn1 = BatchNorm(f)
            self.conv2 = Conv((h, w), f, f, 3, s, pad)
            self.bn2 = BatchNorm(f)
            self.conv3 = Conv((ho, wo), f, co, 1, 1, pad)
            self.bn3 = BatchNorm(co)
        else:
            self.conv1 = Conv((h, w), c, f, 3, s, pad)
            self.bn1 = BatchNorm(f)
            self.conv2 = Conv((ho, wo), f, co, 3, 1, pad)
            self.bn2 = BatchNorm(co)
        self.shortcut = self.shortcut_bn = None
        if co != c or s != 1:
            self.shortcut = Conv((h, w), c, co, 1, s, pad)
            self.shortcut_bn = BatchNorm(co)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        if self.bottleneck:
            y = F.relu(self.bn2(self.conv2(y)))
            y = self.bn3(self.conv3(y))
        else:
            y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut_bn(self.shortcut(x))))


class DecoderBottleneck(nn.Module):
    """`decoder_bottleneck`: the MTSL authors' DecoderBlock (see the module's doc)."""

    def __init__(self, layer):
        super().__init__()
        c = layer["inShape"][2]
        ho, wo, e = layer["outShape"]
        f = layer["filters"]
        joined = _weight_shape(layer, "conv1.kernel")[2]
        self.size = (ho, wo)
        self.conv1 = Conv((ho, wo), joined, f, 1, 1, "symmetric")
        self.bn1 = BatchNorm(f)
        self.conv2 = Conv((ho, wo), f, f, 3, 1, "symmetric")
        self.bn2 = BatchNorm(f)
        self.conv3 = Conv((ho, wo), f, e, 1, 1, "symmetric")
        self.bn3 = BatchNorm(e)
        self.projection = Conv((ho, wo), c, e, 1, 1, "valid") if c != e else None

    def forward(self, x, skip):
        resized = resize_to(x, *self.size)
        y = F.relu(self.bn1(self.conv1(torch.cat([resized, skip], dim=1))))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (resized if self.projection is None else self.projection(resized)))


class Fuse(nn.Module):
    """`fuse`: `conv{i}` (1x1) of each stage's output, resized to the input's size, concatenated."""

    def __init__(self, layer):
        super().__init__()
        self.size = tuple(layer["outShape"][:2])
        self.count = len(layer["stages"])
        for i in range(self.count):
            cin = _weight_shape(layer, f"conv{i}.kernel")[2]
            # the map's own size does not matter to a 1x1 convolution
            setattr(self, f"conv{i}", Conv((1, 1), cin, layer["filters"], 1, 1, "valid", 1, layer["bias"]))

    def forward(self, x, *skips):
        parts = [resize_to(getattr(self, f"conv{i}")(s), *self.size) for i, s in enumerate(skips)]
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)


class Pool(nn.Module):
    """Max or average pooling with TensorFlow's padding (the average over the cells inside the map)."""

    def __init__(self, layer):
        super().__init__()
        self.mode, self.size, self.stride = layer["mode"], layer["size"], layer["stride"]
        h, w, _ = layer["inShape"]
        pads = window_pads(layer["padding"], h, w, self.size, self.stride)
        self.pad = pads if any(pads) else None

    def forward(self, x):
        if self.mode == "max":
            if self.pad is not None:
                x = F.pad(x, self.pad, value=float("-inf"))
            return F.max_pool2d(x, self.size, self.stride)
        if self.pad is None:
            return F.avg_pool2d(x, self.size, self.stride)
        ones = F.pad(torch.ones_like(x[:1, :1]), self.pad)
        sums = F.avg_pool2d(F.pad(x, self.pad), self.size, self.stride)
        return sums / F.avg_pool2d(ones, self.size, self.stride)


class Function(nn.Module):
    """A layer without weights."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class Concat(nn.Module):
    def forward(self, x, skip):
        return torch.cat([x, skip], dim=1)


def _weight_shape(layer, name):
    for w in layer["weights"]:
        if w["name"] == name:
            return w["shape"]
    raise ValueError(f"the IR layer {layer['op']} has no weight {name}")


def _activation(layer):
    fn = layer["fn"]
    if fn == "relu":
        return nn.ReLU()
    if fn == "leaky_relu":
        return nn.LeakyReLU(layer.get("alpha", 0.2))
    if fn == "elu":
        return nn.ELU()
    if fn == "gelu":
        return nn.GELU()  # the erf form, as ops.ts
    if fn == "sigmoid":
        return nn.Sigmoid()
    if fn == "tanh":
        return nn.Tanh()
    raise ValueError(f"unknown activation {fn}")


def _flatten_nhwc(x):
    return x.permute(0, 2, 3, 1).flatten(1) if x.dim() == 4 else x.flatten(1)


def build_layer(layer):
    """The module of one IR layer (its parameters named as the layer's IR weights)."""
    op = layer["op"]
    in_shape, out_shape = layer["inShape"], layer["outShape"]
    if op == "conv":
        return Conv(in_shape[:2], in_shape[2], layer["filters"], layer["kernel"], layer["stride"],
                    layer["padding"], layer["dilation"], layer["bias"])
    if op == "bn":
        return BatchNorm(in_shape[-1], layer["momentum"], layer["epsilon"])
    if op == "act":
        return _activation(layer)
    if op == "pool":
        return Pool(layer)
    if op == "gap":
        return Function(lambda x: x.mean(dim=(2, 3)))
    if op == "flatten":
        return Function(_flatten_nhwc)
    if op == "dense":
        return Dense(in_shape[-1], layer["units"], layer["bias"])
    if op == "dropout":
        return nn.Dropout(layer["rate"])
    if op in ("basic", "bottleneck"):
        return Residual(layer)
    if op == "upsample":
        size = (out_shape[0], out_shape[1])
        mode = "bilinear" if layer["mode"] == "bilinear" else "nearest-exact"
        extra = {"align_corners": False} if mode == "bilinear" else {}
        return Function(lambda x: F.interpolate(x, size=size, mode=mode, **extra))
    if op == "concat":
        return Concat()
    if op == "decoder_bottleneck":
        return DecoderBottleneck(layer)
    if op == "fuse":
        return Fuse(layer)
    raise ValueError(f"unknown layer op {op}")


def _skip_count(layer):
    """How many stage outputs a layer reads besides its input (compiler/ir/types.ts layerStages)."""
    if layer["op"] in ("concat", "decoder_bottleneck"):
        return 1
    if layer["op"] == "fuse":
        return len(layer["stages"])
    return 0


def _torch_shape(shape):
    """A runtime weight's shape in PyTorch's layout: HWIO -> OIHW, [in, out] -> [out, in]."""
    if len(shape) == 4:
        return [shape[3], shape[2], shape[0], shape[1]]
    if len(shape) == 2:
        return [shape[1], shape[0]]
    return list(shape)


class Owner(nn.ModuleList):
    """The layers of one stage instance or head, in order; layer j is module `j`."""

    def __init__(self, ident, layers):
        super().__init__([build_layer(layer) for layer in layers])
        self.skips = [_skip_count(layer) for layer in layers]
        for j, (layer, module) in enumerate(zip(layers, self)):
            want = {w["name"]: _torch_shape(w["shape"]) for w in layer["weights"]}
            have = {k: list(v.shape) for k, v in module.state_dict().items()}
            if want != have:
                raise ValueError(f"{ident} layer {j} ({layer['op']}): weights {have}, the IR's {want}")

    def forward(self, x, skips):
        k = 0
        for module, n in zip(self, self.skips):
            x = module(x, *skips[k:k + n]) if n else module(x)
            k += n
        return x


class Network(nn.Module):
    """The network of an IR (its parsed JSON): `forward(x)` with x [N, C, H, W] gives {task: output}."""

    def __init__(self, ir):
        super().__init__()
        stages = {s["name"]: s for s in ir["stages"]}
        self.instances = ir["instances"]
        self.heads = {h["task"]: h for h in ir["heads"]}
        self.tasks = [t["name"] for t in ir["tasks"]]
        self.input_shape = ir["input"]["shape"]
        self.owners = nn.ModuleDict()
        for inst in self.instances:
            self.owners[inst["id"]] = Owner(inst["id"], stages[inst["stage"]]["layers"])
        for head in ir["heads"]:
            self.owners[head["id"]] = Owner(head["id"], head["layers"])
        params = sum(p.numel() for p in self.parameters())
        if params != ir["totals"]["params"]:
            raise ValueError(f"{params} parameters, the IR's totals say {ir['totals']['params']}")

    def forward(self, x):
        h, w, c = self.input_shape
        if tuple(x.shape[1:]) != (c, h, w):
            raise ValueError(f"the input is [N, {c}, {h}, {w}] (NCHW), got {list(x.shape)}")
        out = {"input": x}
        for inst in self.instances:
            out[inst["id"]] = self.owners[inst["id"]](out[inst["input"]], [out[s] for s in inst["skips"]])
        results = {}
        for task in self.tasks:
            head = self.heads[task]
            results[task] = self.owners[head["id"]](out[head["input"]], [out[s] for s in head["skips"]])
        return results


def read_safetensors(path):
    """{name: float32 tensor} of a safetensors file: with the `safetensors` package when installed, else read here."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        load_file = None
    if load_file is not None:
        return load_file(path)
    import numpy as np

    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {info['dtype']}, only F32 is read")
        begin, end = info["data_offsets"]
        values = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=base + begin)
        tensors[name] = torch.from_numpy(values.astype(np.float32).reshape(info["shape"]))
    return tensors


def load(folder):
    """The network of an export folder (`model.ir.json`, `weights.safetensors`) with its weights, in eval mode."""
    with open(os.path.join(folder, IR_FILE), encoding="utf8") as f:
        ir = json.load(f)
    net = Network(ir)
    net.load_state_dict(read_safetensors(os.path.join(folder, WEIGHTS_FILE)))
    return net.eval()
