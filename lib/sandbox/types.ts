import "server-only";

/**
 * What the rest of Authdesk sees of the sandbox that runs an integration's `authTestCode`
 * (untrusted JavaScript) with an end user's credentials. The code is the body of an async
 * function called with `(secrets, fetch)`; it passes by returning (any JSON value) and fails by
 * throwing.
 */

/** A JSON value the code returned, already bounded in size by the sandbox. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** One `fetch` the code made, for the console's test report. Secret values are redacted. */
export interface SandboxFetch {
  method: string;
  url: string;
  /** The final status, or null when no answer came (refused address, timeout, network error). */
  status: number | null;
  /** Why it failed when status is null, in a few plain words. */
  error?: string;
}

export type SandboxFailureKind =
  /** The code threw (or rejected); `error` is its `name: message`. */
  | "threw"
  /** The code does not parse. */
  | "syntax"
  /** The deadline passed (an endless loop, a promise that never settles, slow fetches). */
  | "timeout"
  /** The code ran out of memory or stack. */
  | "resources"
  /** The sandbox itself failed (a crashed worker, a full queue); not the code's fault. */
  | "unavailable";

export type SandboxOutcome =
  | { ok: true; value: JsonValue; fetches: SandboxFetch[]; logs: string[]; durationMs: number }
  | {
      ok: false;
      kind: SandboxFailureKind;
      /** Bounded and redacted: never a stack, never a secret value. */
      error: { name: string; message: string };
      fetches: SandboxFetch[];
      logs: string[];
      durationMs: number;
    };

export interface SandboxRunInput {
  code: string;
  /** Field slug → value; what the code sees as `secrets`. Every value is redacted from output. */
  secrets: Record<string, string>;
  /**
   * "redacted" (the default) redacts every secret value from the returned value, as from the rest
   * of the report. "raw" returns it as the code built it: only for code whose result is meant to
   * carry secrets to Authdesk itself (an integration's OAuth code strings, whose result is an
   * authorization URL or a token response) and never shown to anyone. Logs, errors and fetch URLs
   * stay redacted either way.
   */
  returnValue?: "redacted" | "raw";
}

export interface Sandbox {
  /** Runs the code once in a fresh QuickJS runtime; never throws for anything the code does. */
  run(input: SandboxRunInput): Promise<SandboxOutcome>;
  /**
   * Parses the code as an async function body without running it; the parser's message if not.
   * `unavailable` says the check itself could not run (a full queue, a crashed worker): not the
   * code's fault.
   */
  checkSyntax(
    code: string,
  ): Promise<{ ok: true } | { ok: false; message: string; unavailable?: boolean }>;
  /** Terminates every worker; pending runs end as "unavailable". */
  close(): Promise<void>;
}
