// Our own addresses, read from the settings.

/** The bare address of a From setting such as `Kundesenter <noreply@kundesenter.no>`. */
export function returnPathOf(from: string): string {
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase();
}
