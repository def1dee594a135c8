import { cn } from "@/lib/utils/cn";

/** Authdesk's mark: a key on an accent tile. Decorative; the product name sits beside it. */
export function LogoMark({ className }: { className?: string }) {
  return (
    <svg
      viewBox="0 0 32 32"
      className={cn("size-7 shrink-0 text-accent", className)}
      aria-hidden="true"
      focusable="false"
    >
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <circle cx="16" cy="12" r="4.75" fill="none" stroke="#fff" strokeWidth="2.5" />
      <path
        d="M16 16.75V25M16 20.5h3.25M16 24h2.5"
        fill="none"
        stroke="#fff"
        strokeWidth="2.5"
        strokeLinecap="round"
      />
    </svg>
  );
}

export function Logo({ className }: { className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-2.5", className)}>
      <LogoMark />
      <span className="font-semibold text-[15px] text-fg tracking-tight">Authdesk</span>
    </span>
  );
}
