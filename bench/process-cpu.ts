/** CPU seconds (user + system) a process has used so far, from /proc (Linux counts in 1/100 s ticks). */
import { readFileSync } from 'node:fs';

export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
