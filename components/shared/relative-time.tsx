"use client";

import { useEffect, useState } from "react";
import { cn } from "@/lib/utils/cn";
import { formatDateTime, formatRelative } from "./format";

/**
 * "3 minutes ago", kept current while the page stays open, with the exact UTC time on hover.
 * The server and the browser read different clocks, so the text may differ at hydration.
 */
export function RelativeTime({ date, className }: { date: Date; className?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <time
      dateTime={date.toISOString()}
      title={formatDateTime(date)}
      className={cn("tabular-nums", className)}
      suppressHydrationWarning
    >
      {formatRelative(date, now)}
    </time>
  );
}
