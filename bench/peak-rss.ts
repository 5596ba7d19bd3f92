/**
 * A process's peak RSS over one part of its life, for the benchmarks' memory columns. The kernel keeps the
 * peak (VmHWM) since the process started; on Linux `echo 5 > /proc/self/clear_refs` resets it, so a child
 * can leave its setup (loading and parsing the data) out of what it reports.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Resets the kernel's peak-RSS mark (VmHWM) of this process: `echo 5 > /proc/self/clear_refs`, Linux only. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** VmHWM from /proc/self/status in bytes: the peak RSS since resetPeakRss, or null where unreadable. */
export function peakRssSinceReset(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
