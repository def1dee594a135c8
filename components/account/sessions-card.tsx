"use client";

import { LogOut, MonitorSmartphone } from "lucide-react";
import { useState } from "react";
import { formatDateTime } from "@/components/shared/format";
import { RelativeTime } from "@/components/shared/relative-time";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { toast } from "@/components/ui/toast";
import type { AdminSessionView } from "@/lib/auth/account-contract";
import { useRevokeSession, useSessions, useSignOutEverywhere } from "./queries";

/**
 * Where this admin is signed in: each live session with its device, address and last use, a
 * "Sign out" for every other one, and "Sign out everywhere", this browser included.
 */
export function SessionsCard({ initial }: { initial: AdminSessionView[] }) {
  const sessions = useSessions(initial);
  const rows = sessions.data ?? [];

  return (
    <Card aria-labelledby="sessions-heading">
      <CardHeader actions={<SignOutEverywhereDialog count={rows.length} />}>
        <CardTitle id="sessions-heading" className="flex items-center gap-2">
          <MonitorSmartphone className="size-4 text-fg-subtle" aria-hidden="true" />
          Sessions
        </CardTitle>
        <CardDescription>
          Where you are signed in. A session you sign out ends at once, on every server; it needs
          your password to come back. Sessions you no longer use end by themselves after a while.
        </CardDescription>
      </CardHeader>
      <ul aria-label="Sessions" className="divide-y divide-line">
        {rows.map((session) => (
          <SessionRow key={session.id} session={session} />
        ))}
      </ul>
    </Card>
  );
}

function SessionRow({ session }: { session: AdminSessionView }) {
  return (
    <li
      aria-label={session.current ? `${session.device}, this session` : session.device}
      className="flex flex-wrap items-center gap-x-4 gap-y-2 px-5 py-3.5"
    >
      <div className="grid min-w-0 flex-1 basis-64 gap-0.5">
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1 font-medium text-fg text-sm">
          <span className="min-w-0 truncate" title={session.userAgent ?? undefined}>
            {session.device}
          </span>
          {session.current ? <Badge variant="success">This session</Badge> : null}
        </p>
        <p className="text-fg-muted text-sm">
          <span className="font-mono text-xs">{session.clientAddress ?? "Address unknown"}</span>
          <span aria-hidden="true"> · </span>
          {session.current ? (
            "Active now"
          ) : (
            <>
              Last seen <RelativeTime date={session.lastSeenAt} />
            </>
          )}
        </p>
        <p className="text-fg-subtle text-xs">
          Signed in{" "}
          <time dateTime={session.signedInAt.toISOString()}>
            {formatDateTime(session.signedInAt)}
          </time>
        </p>
      </div>
      {session.current ? null : <SignOutSessionDialog session={session} />}
    </li>
  );
}

/** One other session's "Sign out", confirmed first. */
function SignOutSessionDialog({ session }: { session: AdminSessionView }) {
  const [open, setOpen] = useState(false);
  const revoke = useRevokeSession();

  const confirm = async () => {
    try {
      const revoked = await revoke.mutateAsync(session);
      toast.success("Session signed out", { description: revoked.device });
    } catch {
      // the hook has already said what went wrong
    }
    setOpen(false);
  };

  return (
    <AlertDialog open={open} onOpenChange={setOpen}>
      <AlertDialogTrigger asChild>
        <Button variant="secondary" size="sm" aria-label={`Sign out ${session.device}`}>
          <LogOut aria-hidden="true" />
          Sign out
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Sign out {session.device}?</AlertDialogTitle>
          <AlertDialogDescription>
            The session from {session.clientAddress ?? "an unknown address"}, last seen{" "}
            <RelativeTime date={session.lastSeenAt} />, ends at once. Whoever uses it will need your
            password to sign in again.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel disabled={revoke.isPending}>Cancel</AlertDialogCancel>
          <Button variant="destructive" pending={revoke.isPending} onClick={confirm}>
            Sign out
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

/** Ends every session, this one too; the server then sends this browser to sign-in. */
function SignOutEverywhereDialog({ count }: { count: number }) {
  const signOut = useSignOutEverywhere();
  const others = count - 1;

  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button variant="secondary" size="sm">
          <LogOut aria-hidden="true" />
          Sign out everywhere
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Sign out everywhere?</AlertDialogTitle>
          <AlertDialogDescription>
            Every session of yours ends at once,{" "}
            <strong className="font-medium text-fg">including this browser</strong>
            {others > 0
              ? ` and ${others === 1 ? "1 other session" : `${others} other sessions`}`
              : ""}
            . You will need your password to sign in again, here too.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel disabled={signOut.isPending}>Cancel</AlertDialogCancel>
          <Button
            variant="destructive"
            pending={signOut.isPending}
            onClick={() => signOut.mutate()}
          >
            Sign out everywhere
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
