// Per-process CPU and memory from /proc (Linux); undefined elsewhere or once the process is gone.
import { readFileSync } from "node:fs";

/** CPU time (ms) a process used so far: utime + stime, in USER_HZ (100). */
export function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Resident set size (MB) of a process: VmRSS. */
export function rssMB(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : undefined;
  } catch {
    return undefined;
  }
}
