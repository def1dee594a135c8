import type { Metadata } from "next";
import { connection } from "next/server";
import type * as React from "react";
import { Providers } from "@/components/providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { template: "%s · Authdesk", default: "Authdesk" },
  description: "The console for your platform's API credentials.",
  robots: { index: false, follow: false },
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: each carries the request's CSP nonce, and none may be
  // prerendered at build time, when there is no database to ask.
  await connection();
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
