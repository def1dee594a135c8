"use client";

import { LogOut } from "lucide-react";
import { useFormStatus } from "react-dom";
import { Button } from "@/components/ui/button";

/** The submit button of the sign-out form; spins while the action runs. */
export function SignOutButton() {
  const { pending } = useFormStatus();
  return (
    <Button
      type="submit"
      variant="ghost"
      size="sm"
      pending={pending}
      className="w-full justify-start px-2.5"
    >
      {pending ? null : <LogOut aria-hidden="true" />}
      Sign out
    </Button>
  );
}
