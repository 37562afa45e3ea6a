#!/usr/bin/python3
"""The PyTorch peer of `npm run bench:train`.

Builds, from an mtsl IR JSON file (compiler/ir/json.ts `irToJson`), the same network
the TensorFlow.js runtime trains (runtime/model/ops.ts, runtime/model/network.ts), in
NCHW instead of NHWC: every stage instance, skip concatenation and task head, with the
same parameter counts (checked per layer and in total against the IR; a mismatch is an
error). Then it times training steps (forward, the file's task losses, backward, Adam
with the file's settings) on random inputs and targets of the file's batch shape, and
prints one JSON line with the step times.

Layer semantics, as in ops.ts:
- conv: TensorFlow 'same'/'valid' padding (asymmetric 'same' padding for even totals,
  the extra pixel at the bottom/right), dilation, optional bias.
- bn: batch statistics in training (biased variance), running statistics updated with
  momentum m (PyTorch momentum 1 - m), epsilon from the IR.
- basic: conv3x3(stride)-bn-relu-conv3x3-bn + shortcut (conv1x1(stride)-bn when the
  channels or stride change), relu. bottleneck: conv1x1-bn-relu-conv3x3(stride)-bn-relu-
  conv1x1-bn + shortcut, relu. Block convolutions have no bias; block batch norms use
  momentum 0.9 and epsilon 1e-5.
- upsample: bilinear with half-pixel centres (align_corners=False), or nearest-exact.
- concat: channels of the skip appended after the stage's own.
- flatten: in NHWC order (as tfjs), so a following dense layer sees the same layout.
Losses (approximately the runtime's, runtime/losses.ts): class-balanced softmax CE
(weights (1-beta)/(1-beta^n_c) from the batch's class counts), RMSE over target > 0,
L1 on unit normals over non-zero targets, balanced BCE on logits (pos_weight p for
positives, 1-p for negatives), MSE; plain CE for classification.

Usage: /usr/bin/python3 bench/torch/step.py IR.json [--steps N] [--warmup N] [--threads N] [--seed N]
"""

import argparse
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCK_BN_MOMENTUM = 0.9
BLOCK_BN_EPSILON = 1e-5


def same_pads(size, kernel, stride, dilation):
    """TensorFlow 'same' padding along one axis: (before, after)."""
    out = -(-size // stride)
    effective = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


class Conv(nn.Module):
    """A 2-D convolution with TensorFlow padding semantics, for a known input size."""

    def __init__(self, in_shape, filters, kernel, stride, padding, dilation, bias):
        super().__init__()
        h, w, c = in_shape
        self.pad = None
        if padding == "same":
            top, bottom = same_pads(h, kernel, stride, dilation)
            left, right = same_pads(w, kernel, stride, dilation)
            if top == bottom and left == right:
                self.conv = nn.Conv2d(c, filters, kernel, stride, (top, left), dilation, bias=bias)
            else:
                self.pad = (left, right, top, bottom)
                self.conv = nn.Conv2d(c, filters, kernel, stride, 0, dilation, bias=bias)
        elif padding == "symmetric":
            # PyTorch's own placement: k_eff // 2 on every side
            p = ((kernel - 1) * dilation + 1) // 2
            self.conv = nn.Conv2d(c, filters, kernel, stride, p, dilation, bias=bias)
        else:
            self.conv = nn.Conv2d(c, filters, kernel, stride, 0, dilation, bias=bias)

    def forward(self, x):
        if self.pad is not None:
            x = F.pad(x, self.pad)
        return self.conv(x)


def batch_norm(rank, channels, momentum, epsilon):
    cls = nn.BatchNorm2d if rank == 3 else nn.BatchNorm1d
    return cls(channels, eps=epsilon, momentum=1.0 - momentum)


class Basic(nn.Module):
    def __init__(self, layer):
        super().__init__()
        in_shape, out_shape, s = layer["inShape"], layer["outShape"], layer["stride"]
        f = layer["filters"]
        mid_shape = [out_shape[0], out_shape[1], f]
        pad = layer.get("padding", "same")
        self.conv1 = Conv(in_shape, f, 3, s, pad, 1, False)
        self.bn1 = batch_norm(3, f, BLOCK_BN_MOMENTUM, BLOCK_BN_EPSILON)
        self.conv2 = Conv(mid_shape, out_shape[2], 3, 1, pad, 1, False)
        self.bn2 = batch_norm(3, out_shape[2], BLOCK_BN_MOMENTUM, BLOCK_BN_EPSILON)
        self.shortcut = None
        if out_shape[2] != in_shape[2] or s != 1:
            self.shortcut = nn.Sequential(
                Conv(in_shape, out_shape[2], 1, s, layer.get("padding", "same"), 1, False),
                batch_norm(3, out_shape[2], BLOCK_BN_MOMENTUM, BLOCK_BN_EPSILON),
            )

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class Bottleneck(nn.Module):
    def __init__(self, layer):
        super().__init__()
        in_shape, out_shape, s = layer["inShape"], layer["outShape"], layer["stride"]
        f = layer["filters"]
        pad = layer.get("padding", "same")
        self.conv1 = Conv(in_shape, f, 1, 1, pad, 1, False)
        self.bn1 = batch_norm(3, f, BLOCK_BN_MOMENTUM, BLOCK_BN_EPSILON)
        self.conv2 = Conv([in_shape[0], in_shape[1], f], f, 3, s, pad, 1, False)
        self.bn2 = batch_norm(3, f, BLOCK_BN_MOMENTUM, BLOCK_BN_EPSILON)
        self.conv3 = Conv([out_shape[0], out_shape[1], f], out_shape[2], 1, 1, pad, 1, False)
        self.bn3 = batch_norm(3, out_shape[2], BLOCK_BN_MOMENTUM, BLOCK_BN_EPSILON)
        self.shortcut = None
        if out_shape[2] != in_shape[2] or s != 1:
            self.shortcut = nn.Sequential(
                Conv(in_shape, out_shape[2], 1, s, layer.get("padding", "same"), 1, False),
                batch_norm(3, out_shape[2], BLOCK_BN_MOMENTUM, BLOCK_BN_EPSILON),
            )

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class Pool(nn.Module):
    """Max or average pooling with TensorFlow padding (average over the window's real pixels)."""

    def __init__(self, layer):
        super().__init__()
        self.mode, self.size, self.stride = layer["mode"], layer["size"], layer["stride"]
        h, w, _ = layer["inShape"]
        self.pad = None
        if layer["padding"] == "same":
            top, bottom = same_pads(h, self.size, self.stride, 1)
            left, right = same_pads(w, self.size, self.stride, 1)
            self.pad = (left, right, top, bottom)
        elif layer["padding"] == "symmetric":
            p = self.size // 2
            self.pad = (p, p, p, p)

    def forward(self, x):
        if self.mode == "max":
            if self.pad is not None:
                x = F.pad(x, self.pad, value=float("-inf"))
            return F.max_pool2d(x, self.size, self.stride)
        if self.pad is None:
            return F.avg_pool2d(x, self.size, self.stride)
        ones = F.pad(torch.ones_like(x[:1, :1]), self.pad)
        sums = F.avg_pool2d(F.pad(x, self.pad), self.size, self.stride)
        counts = F.avg_pool2d(ones, self.size, self.stride)
        return sums / counts


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def activation(layer):
    fn = layer["fn"]
    if fn == "relu":
        return nn.ReLU()
    if fn == "leaky_relu":
        return nn.LeakyReLU(layer.get("alpha", 0.2))
    if fn == "elu":
        return nn.ELU()
    if fn == "gelu":
        return nn.GELU()
    if fn == "sigmoid":
        return nn.Sigmoid()
    if fn == "tanh":
        return nn.Tanh()
    raise ValueError(f"unknown activation {fn}")


def build_layer(layer):
    """The module of one IR layer, or None for concat (handled by the stage)."""
    op = layer["op"]
    in_shape, out_shape = layer["inShape"], layer["outShape"]
    if op == "conv":
        return Conv(in_shape, layer["filters"], layer["kernel"], layer["stride"], layer["padding"],
                    layer["dilation"], layer["bias"])
    if op == "bn":
        return batch_norm(len(in_shape), in_shape[-1], layer["momentum"], layer["epsilon"])
    if op == "act":
        return activation(layer)
    if op == "pool":
        return Pool(layer)
    if op == "gap":
        return Lambda(lambda x: x.mean(dim=(2, 3)))
    if op == "flatten":
        return Lambda(lambda x: x.permute(0, 2, 3, 1).flatten(1) if x.dim() == 4 else x.flatten(1))
    if op == "dense":
        return nn.Linear(in_shape[-1], layer["units"], bias=layer["bias"])
    if op == "dropout":
        return nn.Dropout(layer["rate"])
    if op == "basic":
        return Basic(layer)
    if op == "bottleneck":
        return Bottleneck(layer)
    if op == "upsample":
        size = (out_shape[0], out_shape[1])
        if layer["mode"] == "bilinear":
            return Lambda(lambda x: F.interpolate(x, size=size, mode="bilinear", align_corners=False))
        return Lambda(lambda x: F.interpolate(x, size=size, mode="nearest-exact"))
    if op == "concat":
        return None
    raise ValueError(f"unknown layer op {op}")


def count(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


class Stage(nn.Module):
    """The layers of one stage instance or head, in order; concat layers take skips in order."""

    def __init__(self, ident, layers):
        super().__init__()
        self.ops = []
        self.mods = nn.ModuleList()
        for i, layer in enumerate(layers):
            mod = build_layer(layer)
            if mod is None:
                self.ops.append(("concat", None))
                continue
            got = count(mod)
            if got != layer["params"]:
                raise SystemExit(f"parameter count mismatch in {ident} layer {i} ({layer['op']}): "
                                 f"torch {got}, IR {layer['params']}")
            self.ops.append(("mod", len(self.mods)))
            self.mods.append(mod)

    def forward(self, x, skips):
        k = 0
        for kind, index in self.ops:
            if kind == "concat":
                x = torch.cat([x, skips[k]], dim=1)
                k += 1
            else:
                x = self.mods[index](x)
        return x


class Network(nn.Module):
    def __init__(self, ir):
        super().__init__()
        stages = {s["name"]: s for s in ir["stages"]}
        self.instances = ir["instances"]
        self.heads = ir["heads"]
        self.blocks = nn.ModuleDict()
        for inst in self.instances:
            self.blocks[key(inst["id"])] = Stage(inst["id"], stages[inst["stage"]]["layers"])
            if count(self.blocks[key(inst["id"])]) != inst["params"]:
                raise SystemExit(f"parameter count mismatch in {inst['id']}")
        for head in self.heads:
            self.blocks[key(head["id"])] = Stage(head["id"], head["layers"])

    def forward(self, x):
        out = {"input": x}
        for inst in self.instances:
            out[inst["id"]] = self.blocks[key(inst["id"])](out[inst["input"]], [out[s] for s in inst["skips"]])
        return {h["task"]: self.blocks[key(h["id"])](out[h["input"]], []) for h in self.heads}


def key(ident):
    """ModuleDict keys may not contain '.'; instance ids hold '@' and '+', which are fine."""
    return ident.replace(".", "_")


# ---- losses (runtime/losses.ts, approximately) ----

def class_balanced_ce(logits, labels, classes, balanced, beta=1 - 1e-3):
    if not balanced:
        return F.cross_entropy(logits, labels)
    counts = torch.bincount(labels.flatten(), minlength=classes).float()
    weights = torch.where(counts > 0, (1 - beta) / (1 - torch.pow(beta, counts)), torch.zeros_like(counts))
    return F.cross_entropy(logits, labels, weight=weights)


def rmse_loss(pred, target):
    mask = (target > 0).float()
    mse = ((pred - target) ** 2 * mask).sum() / mask.sum().clamp(min=1)
    return torch.sqrt(mse + 1e-12)


def unit_l1_loss(pred, target):
    unit = F.normalize(pred, dim=1, eps=1e-12)
    mask = (target.abs().sum(dim=1, keepdim=True) > 0).float().expand_as(target)
    return ((unit - target).abs() * mask).sum() / mask.sum().clamp(min=1)


def balanced_bce(pred, target, pos_weight):
    z = (target >= 0.5).float()
    weights = z * pos_weight + (1 - z) * (1 - pos_weight)
    per = F.binary_cross_entropy_with_logits(pred, z, reduction="none")
    return (per * weights).sum() / target.numel()


def task_loss(task, pred, target):
    name, options = task["loss"]["name"], task["loss"]["options"]
    if name == "ce":
        classes = pred.shape[1]
        return class_balanced_ce(pred, target, classes, bool(options.get("balanced", False)))
    if name == "rmse":
        return rmse_loss(pred, target)
    if name == "l1_unit":
        return unit_l1_loss(pred, target)
    if name == "bce":
        return balanced_bce(pred, target, float(options.get("pos_weight", 0.95)))
    if name == "mse":
        return F.mse_loss(pred, target)
    if name == "l1":
        return F.l1_loss(pred, target)
    raise SystemExit(f"unsupported loss {name}")


def random_target(task, batch, image, gen):
    """A random target of the task's kind: labels, positive depths, unit normals, edges, or the image."""
    kind = task["kind"]
    n, _, h, w = image.shape
    if task["target"] == "image" or kind == "reconstruction":
        return image
    if kind == "segmentation":
        return torch.randint(0, int(task["options"]["classes"]), (n, h, w), generator=gen)
    if kind == "classification":
        return torch.randint(0, int(task["options"]["classes"]), (n,), generator=gen)
    if kind == "depth":
        return torch.rand((n, 1, h, w), generator=gen) * 9 + 0.5
    if kind == "normals":
        return F.normalize(torch.randn((n, 3, h, w), generator=gen), dim=1)
    if kind == "edges":
        return (torch.rand((n, 1, h, w), generator=gen) < 0.1).float()
    if kind == "regression":
        return torch.randn((n, int(task["options"].get("outputs", 1))), generator=gen)
    raise SystemExit(f"unsupported task kind {kind}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ir")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=0, help="batch size (default: the file's)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(args.ir, encoding="utf8") as f:
        ir = json.load(f)
    batch = args.batch or ir["train"]["batch"]
    net = Network(ir)
    params = count(net)
    if params != ir["totals"]["params"]:
        raise SystemExit(f"parameter count mismatch: torch {params}, IR totals {ir['totals']['params']}")
    opt = ir["train"]["optimizer"]
    o = opt["options"]
    if opt["name"] == "adam":
        optimizer = torch.optim.Adam(net.parameters(), lr=o.get("lr", 1e-3), betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)),
                                     eps=o.get("epsilon", 1e-8), weight_decay=o.get("weight_decay", 0))
    else:
        optimizer = torch.optim.SGD(net.parameters(), lr=o.get("lr", 1e-2), momentum=o.get("momentum", 0),
                                    weight_decay=o.get("weight_decay", 0))
    net.train()

    gen = torch.Generator().manual_seed(args.seed)
    h, w, c = ir["input"]["shape"]
    image = torch.rand((batch, c, h, w), generator=gen)
    targets = {t["name"]: random_target(t, batch, image, gen) for t in ir["tasks"]}
    tasks = ir["tasks"]

    def step():
        optimizer.zero_grad(set_to_none=True)
        outputs = net(image)
        total = sum(t["weight"] * task_loss(t, outputs[t["name"]], targets[t["name"]]) for t in tasks)
        total.backward()
        optimizer.step()
        return float(total)

    losses = [step() for _ in range(args.warmup)]
    times = []
    cpu_times = []
    for _ in range(args.steps):
        cpu_start = time.process_time()
        start = time.perf_counter()
        losses.append(step())
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.process_time() - cpu_start) * 1000)
    if not all(math.isfinite(l) for l in losses):
        raise SystemExit(f"non-finite loss: {losses}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": batch,
        "params": params,
        "stepMs": times,
        "cpuMs": cpu_times,
        "peakRssBytes": peak_kib * 1024,
        "firstLoss": losses[0],
        "lastLoss": losses[-1],
    }))


if __name__ == "__main__":
    sys.exit(main())
