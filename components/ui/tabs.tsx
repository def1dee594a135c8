"use client";

import { Tabs as TabsPrimitive } from "radix-ui";
import type * as React from "react";
import { cn } from "@/lib/utils/cn";

/**
 * Radix tabs: arrow keys move between tabs, and each panel is named by its tab. The list scrolls
 * sideways by itself if its tabs ever outgrow a narrow screen, instead of widening the page.
 */
export const Tabs = TabsPrimitive.Root;

export function TabsList({ className, ...props }: React.ComponentProps<typeof TabsPrimitive.List>) {
  return (
    <TabsPrimitive.List
      className={cn("-mx-1 flex gap-1 overflow-x-auto border-line border-b px-1", className)}
      {...props}
    />
  );
}

export function TabsTrigger({
  className,
  ...props
}: React.ComponentProps<typeof TabsPrimitive.Trigger>) {
  return (
    <TabsPrimitive.Trigger
      className={cn(
        "-mb-px inline-flex shrink-0 items-center gap-1.5 whitespace-nowrap border-transparent border-b-2 px-3 py-2 font-medium text-fg-muted text-sm transition-colors",
        "hover:text-fg data-[state=active]:border-accent data-[state=active]:text-fg",
        "rounded-t-md focus-visible:outline-2 focus-visible:outline-accent focus-visible:-outline-offset-2",
        className,
      )}
      {...props}
    />
  );
}

/**
 * A panel. With `forceMount` it stays mounted while hidden, so what was typed in it survives a
 * visit to another tab.
 */
export function TabsContent({
  className,
  ...props
}: React.ComponentProps<typeof TabsPrimitive.Content>) {
  return (
    <TabsPrimitive.Content
      className={cn("outline-hidden data-[state=inactive]:hidden", className)}
      {...props}
    />
  );
}
