/**
 * An event's details on one line. A null value is said as "none" rather than JSON's `null`:
 * it means the thing is absent (say, `oldSecretAcceptedUntil` after a roll without a grace
 * period), and the key stays so the absence itself reads as part of the event.
 */
export function formatDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${formatValue(value)}`)
    .join(", ");
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "none";
  // Nested values stay JSON, where null is part of the notation.
  return typeof value === "string" ? value : JSON.stringify(value);
}
