// File and download sizes in words, for the core's messages and the window alike.

/** "2.7 GB", "31.4 MB" (at least 0.1 MB). */
export function formatSize(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(0.1, bytes / 1e6).toFixed(1)} MB`;
}

/** "1.2 of 8.9 GB": both in the unit of `total`. */
export function formatSizeOf(part: number, total: number): string {
  const [unit, scale] = total >= 1e9 ? ['GB', 1e9] : ['MB', 1e6];
  return `${(part / scale).toFixed(1)} of ${(total / scale).toFixed(1)} ${unit}`;
}

/** A GPU's memory as cards are sold: binary gigabytes, whole ("24 GB" for 24 GiB). */
export function formatGpuMemory(bytes: number): string {
  return `${Math.round(bytes / 2 ** 30)} GB`;
}
