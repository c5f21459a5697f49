import { readStatusKb } from './proc-stats';

const SAMPLE_INTERVAL_MS = 100;

/**
 * Tracks a server's peak resident memory. VmHWM is the kernel's own high-water mark, so it catches
 * spikes between samples; VmRSS is kept as a fallback for kernels that do not report it.
 * Sampling must stop before the process is killed, since /proc forgets it on exit.
 */
export class PeakRssSampler {
  private peakKb: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    // Sampling alone must never keep the runner alive.
    this.timer.unref();
  }

  private sample(): void {
    for (const field of ['VmHWM', 'VmRSS'] as const) {
      const kb = readStatusKb(this.pid, field);
      if (kb !== undefined) this.peakKb = Math.max(this.peakKb ?? 0, kb);
    }
  }

  /** Takes a last sample and returns the peak in MiB, or undefined where /proc is unavailable. */
  stop(): number | undefined {
    this.sample();
    clearInterval(this.timer);
    return this.peakKb === undefined ? undefined : this.peakKb / 1024;
  }
}
