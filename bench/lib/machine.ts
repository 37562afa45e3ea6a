/** What machine a benchmark ran on, and how busy it was. */
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";

export interface MachineInfo {
  cpuModel: string;
  /** Logical CPUs the OS reports. */
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

/** CPU model (from /proc/cpuinfo where it exists), core count, memory and Node version. */
export function machineInfo(): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? "unknown";
  if (existsSync("/proc/cpuinfo")) {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (match?.[1]) cpuModel = match[1].trim();
  }
  return {
    cpuModel,
    cores: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** The 1, 5 and 15 minute load averages as "a, b, c". */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(", ");
}

/** Lines describing the machine, for the top of a benchmark's output. */
export function machineLines(extra: Record<string, string> = {}): string[] {
  const m = machineInfo();
  const lines = [
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, ${m.platform}`,
    `node: ${m.node}`,
  ];
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
  return lines;
}

/** The process's resident-set high-water mark in bytes (getrusage maxrss). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** A note that the machine is shared, with the load average now (1, 5, 15 min). */
export function loadLine(when: "start" | "end"): string {
  return `load average at ${when} (1, 5, 15 min): ${loadAverage()}  [shared machine: other engineers' jobs run at the same time]`;
}
