import { COUNT_CAP } from "@/lib/paging/contract";

/**
 * Dates are written out by hand in UTC: the server renders these components first, and a
 * locale- or time-zone-dependent format would differ between server and browser.
 */
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad = (value: number) => String(value).padStart(2, "0");

export function formatDate(date: Date): string {
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
}

export function formatDateTime(date: Date): string {
  return `${formatDate(date)}, ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 minutes ago", "in 1 hour", "just now". Depends on the clock: render it client-side. */
export function formatRelative(date: Date, now: number = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 45) return seconds >= 0 && seconds > 5 ? "in under a minute" : "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size * 0.9 || unit === "minute") {
      return relative.format(Math.round(seconds / size), unit);
    }
  }
  return relative.format(Math.round(seconds / 60), "minute");
}

export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

/** A count the server stopped at one past COUNT_CAP (lib/paging): "1,000+" beyond it. */
export function cappedNumber(count: number): string {
  return count > COUNT_CAP
    ? `${COUNT_CAP.toLocaleString("en-US")}+`
    : count.toLocaleString("en-US");
}

/** plural() of a capped count: "1,000+ clients" beyond the cap. */
export function cappedPlural(count: number, one: string, many: string): string {
  return `${cappedNumber(count)} ${count === 1 ? one : many}`;
}
