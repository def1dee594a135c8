"use client";

import { useFieldControl } from "@/components/ui/field";
import { TOKEN_TTL_MINUTES } from "@/lib/api-clients/schema";
import { cn } from "@/lib/utils/cn";
import { formatMinutes } from "./format";

const STEP = 5;
const PRESETS = [15, 60, 480, 1440];
const TICKS = [
  { minutes: TOKEN_TTL_MINUTES.min, label: "5 min" },
  { minutes: 360, label: "6 h" },
  { minutes: 720, label: "12 h" },
  { minutes: 1080, label: "18 h" },
  { minutes: TOKEN_TTL_MINUTES.max, label: "24 h" },
];

const percentOf = (minutes: number) =>
  ((minutes - TOKEN_TTL_MINUTES.min) / (TOKEN_TTL_MINUTES.max - TOKEN_TTL_MINUTES.min)) * 100;

/**
 * The seed's "drag the pointer" control: a native range input, so arrow keys (5 minutes),
 * Page Up/Down, Home and End work and screen readers hear the value in words. The value is shown
 * beside it in minutes and in hours, with presets for the lifetimes people usually want.
 */
export function TokenTtlSlider({
  name,
  value,
  onChange,
}: {
  name: string;
  value: number;
  onChange: (minutes: number) => void;
}) {
  const fieldProps = useFieldControl({});
  const outputFor = fieldProps.id;
  const fill = `${percentOf(value)}%`;

  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <output htmlFor={outputFor} className="flex items-baseline gap-2" aria-live="off">
          <span className="font-semibold text-2xl text-fg tabular-nums tracking-tight">
            {value.toLocaleString("en-US")}
          </span>
          <span className="text-fg-muted text-sm">
            minutes
            {value >= 60 ? (
              <>
                {" "}
                · <span className="text-fg">{formatMinutes(value)}</span>
              </>
            ) : null}
          </span>
        </output>
        <div className="flex flex-wrap gap-1.5">
          {PRESETS.map((minutes) => (
            <button
              key={minutes}
              type="button"
              onClick={() => onChange(minutes)}
              aria-pressed={value === minutes}
              className={cn(
                "rounded-md px-2 py-0.5 font-medium text-xs ring-1 ring-line-strong ring-inset transition-colors",
                "hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-accent focus-visible:outline-offset-1",
                value === minutes
                  ? "bg-accent-subtle text-accent-text ring-accent/30"
                  : "bg-surface text-fg-muted",
              )}
            >
              {formatMinutes(minutes)}
            </button>
          ))}
        </div>
      </div>
      <input
        type="range"
        name={name}
        min={TOKEN_TTL_MINUTES.min}
        max={TOKEN_TTL_MINUTES.max}
        step={STEP}
        value={value}
        onChange={(event) => onChange(Number(event.target.value))}
        aria-valuetext={
          value >= 60 ? `${value} minutes (${formatMinutes(value)})` : formatMinutes(value)
        }
        {...fieldProps}
        style={{
          background: `linear-gradient(to right, var(--color-accent) ${fill}, var(--color-surface-muted) ${fill})`,
        }}
        className={cn(
          "h-2 w-full cursor-pointer appearance-none rounded-full ring-1 ring-line ring-inset",
          "focus-visible:outline-2 focus-visible:outline-accent focus-visible:outline-offset-4",
          "[&::-webkit-slider-thumb]:size-5 [&::-webkit-slider-thumb]:appearance-none [&::-webkit-slider-thumb]:rounded-full [&::-webkit-slider-thumb]:border-2 [&::-webkit-slider-thumb]:border-accent [&::-webkit-slider-thumb]:bg-surface [&::-webkit-slider-thumb]:shadow-sm",
          "[&::-moz-range-thumb]:size-4 [&::-moz-range-thumb]:rounded-full [&::-moz-range-thumb]:border-2 [&::-moz-range-thumb]:border-accent [&::-moz-range-thumb]:bg-surface",
        )}
      />
      <div aria-hidden="true" className="relative h-4 text-fg-subtle text-xs tabular-nums">
        {TICKS.map((tick, index) => (
          <span
            key={tick.minutes}
            className={cn(
              "absolute top-0",
              index === 0 ? "left-0" : index === TICKS.length - 1 ? "right-0" : "-translate-x-1/2",
            )}
            style={
              index === 0 || index === TICKS.length - 1
                ? undefined
                : { left: `${percentOf(tick.minutes)}%` }
            }
          >
            {tick.label}
          </span>
        ))}
      </div>
    </div>
  );
}
