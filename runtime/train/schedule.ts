/**
 * Learning-rate schedules, as a function of the epoch (0-based) about to run.
 * `step(milestones, gamma)`: lr * gamma^(number of milestones <= epoch), as
 * PyTorch's MultiStepLR stepped once per epoch. `cosine(min_lr)`: from lr at
 * epoch 0 to min_lr at the last epoch. `constant`.
 */
import type { IrCall } from "../../compiler/ir/types.js";

export function learningRate(schedule: IrCall, baseLr: number, epoch: number, epochs: number): number {
  const o = schedule.options;
  switch (schedule.name) {
    case "constant":
      return baseLr;
    case "step": {
      const milestones = (o["milestones"] as number[] | undefined) ?? [];
      const gamma = typeof o["gamma"] === "number" ? o["gamma"] : 0.1;
      const passed = milestones.filter((m) => m <= epoch).length;
      return baseLr * Math.pow(gamma, passed);
    }
    case "cosine": {
      const minLr = typeof o["min_lr"] === "number" ? o["min_lr"] : 0;
      if (epochs <= 1) return baseLr;
      const t = Math.min(epoch, epochs - 1) / (epochs - 1);
      return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
    default:
      throw new Error(`unknown schedule ${schedule.name}`);
  }
}
