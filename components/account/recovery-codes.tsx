"use client";

import { Download } from "lucide-react";
import { CopyButton } from "@/components/api-clients/copy-button";
import { OneTimeNotice } from "@/components/shared/one-time-notice";
import { useLeaveGuard } from "@/components/shared/use-leave-guard";
import { Button } from "@/components/ui/button";

/**
 * Recovery codes, shown once (from the action's result, never refetched): copy, download as a
 * text file, and a "Leave site?" prompt while they are on screen and not yet confirmed saved.
 */
export function RecoveryCodes({ codes, email }: { codes: string[]; email: string }) {
  useLeaveGuard();

  const text = codes.join("\n");

  function download() {
    const file = [
      `Authdesk recovery codes for ${email}`,
      "Each code signs you in once, in place of a code from your authenticator app.",
      "",
      text,
      "",
    ].join("\n");
    const url = URL.createObjectURL(new Blob([file], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "authdesk-recovery-codes.txt";
    link.click();
    URL.revokeObjectURL(url);
  }

  return (
    <div className="grid gap-4">
      <OneTimeNotice title="Save these recovery codes now. You won't see them again.">
        If you lose your phone, each code signs you in once instead of an authenticator code.
        Authdesk keeps only a hash of them. Keep them somewhere safe, like a password manager.
      </OneTimeNotice>
      <ul
        aria-label="Recovery codes"
        className="grid grid-cols-1 gap-x-6 gap-y-1.5 rounded-lg border border-line bg-surface-subtle px-4 py-3 font-mono text-fg text-sm sm:grid-cols-2"
      >
        {codes.map((code) => (
          <li key={code} className="whitespace-nowrap">
            {code}
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        <CopyButton value={text} label="Copy recovery codes" />
        <Button type="button" variant="secondary" size="sm" onClick={download}>
          <Download aria-hidden="true" />
          Download .txt
        </Button>
      </div>
    </div>
  );
}
