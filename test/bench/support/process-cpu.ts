// CPU time of another process (and of its main thread) from Linux's /proc: the figure a busy
// shared machine barely moves, unlike latency. Undefined where /proc is missing.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux build that matters). */
const TICKS_PER_SECOND = 100;

export interface CpuTimes {
  /** All threads of the process, user + system. */
  readonly processMs: number;
  /** Its main thread (the event loop), user + system. */
  readonly mainThreadMs: number;
}

function statCpuMs(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

export function cpuTimes(pid: number): CpuTimes | undefined {
  try {
    return {
      processMs: statCpuMs(`/proc/${pid}/stat`),
      mainThreadMs: statCpuMs(`/proc/${pid}/task/${pid}/stat`),
    };
  } catch {
    return undefined;
  }
}
