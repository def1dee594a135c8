"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type * as React from "react";
import { useState } from "react";
import { Toaster } from "@/components/ui/toast";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Admin data changes rarely and every mutation invalidates what it touches, so 30 s of
        // freshness saves refetches without showing stale lists after one's own edits.
        staleTime: 30_000,
        retry: 1,
        // Switching tabs back to the console should not refire every query on the page.
        refetchOnWindowFocus: false,
      },
      mutations: {
        // Creates and deletes are not idempotent; a retry could double them.
        retry: false,
      },
    },
  });
}

export function Providers({ children }: { children: React.ReactNode }) {
  // One client per browser session: created on first render, kept across navigations.
  const [queryClient] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      {children}
      <Toaster />
    </QueryClientProvider>
  );
}
