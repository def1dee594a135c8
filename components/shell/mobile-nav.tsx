"use client";

import { Menu, X } from "lucide-react";
import { Dialog } from "radix-ui";
import type * as React from "react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Logo } from "./logo";

/** Matches Tailwind's `lg` breakpoint, where the fixed sidebar takes over. */
const DESKTOP_QUERY = "(min-width: 64rem)";

/**
 * The narrow-screen top bar. Its menu button opens the sidebar as a drawer: a modal dialog, so
 * focus stays inside, Escape and a click outside close it, and focus returns to the button.
 */
export function MobileNav({ children }: { children: React.ReactNode }) {
  const [open, setOpen] = useState(false);

  // A drawer left open while the window widens would keep the page scroll-locked.
  useEffect(() => {
    const query = window.matchMedia(DESKTOP_QUERY);
    const close = (event: MediaQueryListEvent) => {
      if (event.matches) setOpen(false);
    };
    query.addEventListener("change", close);
    return () => query.removeEventListener("change", close);
  }, []);

  // The drawer's contents are rendered on the server, so links cannot be handed a callback;
  // closing on any link click inside the drawer covers navigation instead.
  const closeOnLinkClick = (event: React.MouseEvent<HTMLDivElement>) => {
    if (event.target instanceof Element && event.target.closest("a[href]")) setOpen(false);
  };

  // Radix skips links when choosing what to focus on open (it would pick the close button);
  // starting on the current page's link keeps the keyboard user's place.
  const focusCurrentLink = (event: Event) => {
    const content = event.currentTarget;
    const current =
      content instanceof Element
        ? content.querySelector<HTMLElement>('[aria-current="page"]')
        : null;
    if (current) {
      event.preventDefault();
      current.focus();
    }
  };

  return (
    <div className="sticky top-0 z-40 flex h-14 items-center gap-2 border-line border-b bg-surface/90 px-3 backdrop-blur supports-[backdrop-filter]:bg-surface/75 lg:hidden">
      <Dialog.Root open={open} onOpenChange={setOpen}>
        <Dialog.Trigger asChild>
          <Button variant="ghost" size="icon" aria-label="Open navigation">
            <Menu className="size-5" aria-hidden="true" />
          </Button>
        </Dialog.Trigger>
        <Dialog.Portal>
          <Dialog.Overlay className="fixed inset-0 z-50 bg-fg/40 data-[state=closed]:animate-fade-out data-[state=open]:animate-fade-in lg:hidden" />
          <Dialog.Content
            aria-describedby={undefined}
            onClick={closeOnLinkClick}
            onOpenAutoFocus={focusCurrentLink}
            className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col border-line border-r bg-surface-subtle shadow-xl outline-hidden data-[state=closed]:animate-drawer-out data-[state=open]:animate-drawer-in lg:hidden"
          >
            <Dialog.Title className="sr-only">Navigation</Dialog.Title>
            <Dialog.Close asChild>
              <Button
                variant="ghost"
                size="icon-sm"
                aria-label="Close navigation"
                className="absolute top-3 right-3"
              >
                <X aria-hidden="true" />
              </Button>
            </Dialog.Close>
            {children}
          </Dialog.Content>
        </Dialog.Portal>
      </Dialog.Root>
      <Logo />
    </div>
  );
}
