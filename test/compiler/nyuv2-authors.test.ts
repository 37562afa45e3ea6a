/**
 * examples/nyuv2.mtsl is the MTSL authors' network as their code builds it (issue 13, point 2):
 * model_configs/nyuv2/*.yaml (ResNet-18, NUM_EN_FEATURES 5), configs/dense_configs.py
 * (DECODER.OUTPLANES 64, SEG/DEPTH/AE INPLANES and OUTPLANES 64), the uni-encoder of
 * encoders_decoders/uninet_encoder.py (two Bottleneck blocks of 512 planes, stride 2),
 * the DecoderBlock of decoder.py and the heads of heads/. The parameter counts below are
 * written out from their modules' constructors, layer by layer.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import type { IrModel } from "../../compiler/ir/types.js";

const ir = compileSource(readFileSync("examples/nyuv2.mtsl", "utf8")).ir as IrModel;
const bn = (c: number): number => 2 * c; // weight and bias (running statistics are state)
const conv = (k: number, cin: number, cout: number, bias = false): number => k * k * cin * cout + (bias ? cout : 0);

/** torchvision's BasicBlock, with the 1x1 downsample + bn when the shape changes. */
const basic = (cin: number, c: number, down: boolean): number =>
  conv(3, cin, c) + bn(c) + conv(3, c, c) + bn(c) + (down ? conv(1, cin, c) + bn(c) : 0);
/** The authors' (torchvision's) Bottleneck, expansion 4. */
const bottleneck = (cin: number, planes: number, down: boolean): number =>
  conv(1, cin, planes) +
  bn(planes) +
  conv(3, planes, planes) +
  bn(planes) +
  conv(1, planes, 4 * planes) +
  bn(4 * planes) +
  (down ? conv(1, cin, 4 * planes) + bn(4 * planes) : 0);
/** Their DecoderBlock(inplanes, planes=64): input_projection only where inplanes is a list (the first block). */
const decoderBlock = (cin: number, cskip: number, projection: boolean): number =>
  conv(1, cin + cskip, 64) +
  bn(64) +
  conv(3, 64, 64) +
  bn(64) +
  conv(1, 64, 256) +
  bn(256) +
  (projection ? conv(1, cin, 256) : 0);
/** SegHead (seg, edges): four conv1x1(256 -> 64) with bias, final conv1x1 with bias. */
const segHead = (classes: number): number => 4 * conv(1, 256, 64, true) + conv(1, 256, classes, true);
/** DepthHead, SurfaceNormalHead, AutoEncoderHead: four conv1x1 without bias, a conv3x3 with bias. */
const depthHead = (out: number): number => 4 * conv(1, 256, 64) + conv(3, 256, out, true);

const stageParams = (name: string): number =>
  ir.stages.find((s) => s.name === name)!.layers.reduce((n, l) => n + l.params, 0);
const head = (task: string) => ir.heads.find((h) => h.task === task)!;

describe("examples/nyuv2.mtsl is the authors' network", () => {
  it("has their stages, stage by stage", () => {
    expect(ir.stages.map((s) => s.name)).toEqual([
      "stem",
      "enc1",
      "enc2",
      "enc3",
      "enc4",
      "enc5",
      "dec1",
      "dec2",
      "dec3",
      "dec4",
    ]);
    expect(stageParams("stem")).toBe(conv(7, 3, 64) + bn(64));
    expect(stageParams("enc1")).toBe(2 * basic(64, 64, false));
    expect(stageParams("enc2")).toBe(basic(64, 128, true) + basic(128, 128, false));
    expect(stageParams("enc4")).toBe(basic(256, 512, true) + basic(512, 512, false));
    expect(stageParams("enc5")).toBe(bottleneck(512, 512, true) + bottleneck(2048, 512, false));
    expect(stageParams("dec1")).toBe(decoderBlock(2048, 512, true));
    expect(stageParams("dec2")).toBe(decoderBlock(256, 256, false));
    expect(stageParams("dec3")).toBe(decoderBlock(256, 128, false));
    expect(stageParams("dec4")).toBe(decoderBlock(256, 64, false));
  });

  it("resizes each decoder input to its skip's size at 288 x 384, down to 1/64 and back to 1/4", () => {
    const out = (name: string): number[] => ir.stages.find((s) => s.name === name)!.outShape;
    expect(out("enc4")).toEqual([9, 12, 512]);
    expect(out("enc5")).toEqual([5, 6, 2048]);
    expect(out("dec1")).toEqual([9, 12, 256]);
    expect(out("dec2")).toEqual([18, 24, 256]);
    expect(out("dec3")).toEqual([36, 48, 256]);
    expect(out("dec4")).toEqual([72, 96, 256]);
  });

  it("has heads that read all four decoder stages, with their parameters", () => {
    for (const h of ir.heads) {
      expect(h.skips).toEqual(["dec1", "dec2", "dec3", "dec4"].map((s) => `${s}@${h.task}`));
      expect(h.outShape.slice(0, 2)).toEqual([288, 384]);
    }
    expect(head("seg").params).toBe(segHead(13));
    expect(head("edge").params).toBe(segHead(1));
    expect(head("depth").params).toBe(depthHead(1));
    expect(head("normal").params).toBe(depthHead(3));
    expect(head("ae").params).toBe(depthHead(3));
    expect(head("normal").layers.map((l) => l.op)).toEqual(["fuse", "conv", "act", "upsample"]);
  });
});
