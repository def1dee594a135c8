import "server-only";
import { z } from "zod";
import { type Keyring, open, seal } from "@/lib/crypto";
import { connectionValuesSealedColumn, sealBindingFor } from "@/lib/crypto/registry";
import type { TokenSet } from "./types";

/**
 * How an OAuth connection's TokenSet is kept in values_sealed: one JSON value sealed to the
 * connection's id. token_expires_at is the column the expiry is decided on (it needs no
 * decryption); the copy inside the JSON is informational.
 */

const storedTokenSet = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullable().optional(),
  tokenType: z.string().min(1).optional(),
  scope: z.string().nullable().optional(),
});

export function sealTokenSet(keyring: Keyring, connectionId: string, tokens: TokenSet): string {
  const stored = {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenType: tokens.tokenType,
    scope: tokens.scope,
    expiresAt: tokens.expiresAt?.toISOString() ?? null,
  };
  return seal(
    keyring,
    JSON.stringify(stored),
    sealBindingFor(connectionValuesSealedColumn, connectionId),
  );
}

/** Throws when the value is not a sealed TokenSet of this connection (a bug, not bad input). */
export function openTokenSet(
  keyring: Keyring,
  connectionId: string,
  sealed: string,
  expiresAt: Date | null,
): TokenSet {
  const json: unknown = JSON.parse(
    open(keyring, sealed, sealBindingFor(connectionValuesSealedColumn, connectionId)),
  );
  const parsed = storedTokenSet.safeParse(json);
  // The zod issues could quote a token: say only which connection holds an unreadable value.
  if (!parsed.success) throw new Error(`Connection ${connectionId} holds no valid token set`);
  return {
    accessToken: parsed.data.accessToken,
    refreshToken: parsed.data.refreshToken ?? null,
    tokenType: parsed.data.tokenType ?? "Bearer",
    scope: parsed.data.scope ?? null,
    expiresAt,
  };
}
