/** A token lifetime in people's words: "45 minutes", "1 hour", "2 hours 30 minutes", "1 day". */
export function formatMinutes(minutes: number): string {
  if (minutes === 1440) return "1 day";
  const unit = (count: number, one: string) => `${count} ${one}${count === 1 ? "" : "s"}`;
  if (minutes < 60) return unit(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? unit(hours, "hour") : `${unit(hours, "hour")} ${unit(rest, "minute")}`;
}

/** "60 minutes (1 hour)", or just "45 minutes" when the two would say the same. */
export function describeTokenTtl(minutes: number): string {
  const human = formatMinutes(minutes);
  return minutes < 60 ? human : `${minutes.toLocaleString("en-US")} minutes (${human})`;
}

/** The start of a client key, enough to recognise it in a list: "adk_ck_7Hq2…". */
export function keyPrefix(clientKey: string): string {
  return `${clientKey.slice(0, "adk_ck_".length + 4)}…`;
}
