import { LoaderCircle } from "lucide-react";
import { Slot } from "radix-ui";
import type * as React from "react";
import { cn } from "@/lib/utils/cn";

export type ButtonVariant = "primary" | "secondary" | "ghost" | "destructive";
export type ButtonSize = "sm" | "md" | "icon" | "icon-sm";

const base =
  "inline-flex shrink-0 select-none items-center justify-center gap-2 whitespace-nowrap rounded-md text-sm font-medium transition-colors " +
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent " +
  "disabled:pointer-events-none disabled:opacity-50 aria-disabled:pointer-events-none aria-disabled:opacity-50 " +
  "[&_svg]:pointer-events-none [&_svg]:shrink-0 [&_svg:not([class*='size-'])]:size-4";

const variants: Record<ButtonVariant, string> = {
  primary: "bg-accent text-accent-fg shadow-xs hover:bg-accent-hover",
  secondary:
    "border border-line-strong bg-surface text-fg shadow-xs hover:bg-surface-subtle hover:border-fg-subtle/40",
  ghost: "text-fg-muted hover:bg-surface-muted hover:text-fg",
  destructive: "bg-danger text-white shadow-xs hover:bg-danger-hover focus-visible:outline-danger",
};

const sizes: Record<ButtonSize, string> = {
  sm: "h-8 px-3",
  md: "h-9 px-4",
  icon: "size-9",
  "icon-sm": "size-8",
};

/** The button's classes, for elements that must look like a button (links, radix triggers). */
export function buttonVariants({
  variant = "primary",
  size = "md",
  className,
}: {
  variant?: ButtonVariant;
  size?: ButtonSize;
  className?: string;
} = {}): string {
  return cn(base, variants[variant], sizes[size], className);
}

export type ButtonProps = React.ComponentProps<"button"> & {
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Render the single child (e.g. a `<Link>`) with the button's styles instead of a `<button>`. */
  asChild?: boolean;
  /** Disables the button and shows a spinner while an action runs. */
  pending?: boolean;
};

/**
 * The `type` attribute is left to HTML's default (`submit`), so a button inside a form submits
 * it; give secondary buttons in forms `type="button"`.
 */
export function Button({
  variant = "primary",
  size = "md",
  asChild = false,
  pending = false,
  disabled,
  className,
  children,
  ...props
}: ButtonProps) {
  const classes = buttonVariants({ variant, size, className });

  if (asChild) {
    return (
      <Slot.Root
        className={classes}
        aria-disabled={pending || disabled ? true : undefined}
        aria-busy={pending || undefined}
        {...props}
      >
        {children}
      </Slot.Root>
    );
  }

  const iconOnly = size === "icon" || size === "icon-sm";
  return (
    <button
      className={classes}
      disabled={pending || disabled}
      aria-busy={pending || undefined}
      {...props}
    >
      {pending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
      {pending && iconOnly ? null : children}
    </button>
  );
}
