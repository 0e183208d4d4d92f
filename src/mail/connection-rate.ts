/**
 * Connections per address in the current minute, so one sender cannot take every slot; the table is
 * emptied each minute, so it stays bounded whatever arrives.
 */
export function connectionRate(perMinute: number) {
  let windowStart = Date.now();
  const counts = new Map<string, number>();
  return {
    allow(address: string): boolean {
      if (Date.now() - windowStart > 60_000 || counts.size > 10_000) {
        counts.clear();
        windowStart = Date.now();
      }
      const count = (counts.get(address) ?? 0) + 1;
      counts.set(address, count);
      return count <= perMinute;
    },
  };
}
