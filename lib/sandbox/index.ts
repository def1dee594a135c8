import "server-only";
import path from "node:path";
import { defaultResolveHost, type ResolveHost } from "@/lib/outbound/ssrf-guard";
import {
  answerGuestFetch,
  type FetchPolicy,
  guestFetchLimits,
  recordRefusedFetch,
} from "./fetch-bridge";
import { createWorkerPool, type GuestLimits, type GuestOutcome, type JobResult } from "./pool";
import { createRedactor, type Redactor, redactJson } from "./redact";
import type {
  JsonValue,
  Sandbox,
  SandboxFailureKind,
  SandboxFetch,
  SandboxOutcome,
  SandboxRunInput,
} from "./types";

export type * from "./types";

/**
 * The sandbox for an integration's `authTestCode`: QuickJS compiled to WebAssembly, one fresh
 * runtime per run, inside a small pool of worker threads (./pool.ts, ./worker.mjs). The code's
 * `fetch` is done here on the host, through the same SSRF guard and pinned client as the token
 * broker (./fetch-bridge.ts). What the guest can use and every limit are listed in the README
 * ("The authTestCode sandbox").
 */

export interface SandboxLimits {
  /** Wall-clock time for one run, fetches included. */
  timeoutMs: number;
  /** QuickJS heap for one run. */
  memoryBytes: number;
  /** QuickJS stack for one run; small, see worker.mjs. */
  stackBytes: number;
  maxFetches: number;
  maxRequestBodyBytes: number;
  /** A longer response body fails the fetch in the guest. */
  maxResponseBodyBytes: number;
  maxRedirects: number;
  /** The returned value, as JSON. */
  maxValueBytes: number;
  maxLogLines: number;
  maxLogLineChars: number;
  /** Longer code is refused unparsed; integrations allow far less, this bounds the sandbox itself. */
  maxCodeChars: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  timeoutMs: 1_000,
  memoryBytes: 8 * 1024 * 1024,
  stackBytes: 128 * 1024,
  maxFetches: 5,
  maxRequestBodyBytes: 64 * 1024,
  maxResponseBodyBytes: 64 * 1024,
  maxRedirects: 3,
  maxValueBytes: 8 * 1024,
  maxLogLines: 20,
  maxLogLineChars: 500,
  maxCodeChars: 16 * 1024,
};

export interface SandboxOptions {
  /** AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS: fetch may reach loopback and private addresses and use plain http. */
  allowPrivateAddresses: boolean;
  /** Default: dns.promises.lookup(hostname, { all: true }). Tests map names to loopback. */
  resolveHost?: ResolveHost;
  /** Worker threads, each running one job at a time. Default 2. */
  poolSize?: number;
  /** Jobs waiting for a worker beyond which a run ends at once as unavailable. Default 32. */
  maxQueued?: number;
  limits?: Partial<SandboxLimits>;
}

/** Resolved from the working directory, as db/client.ts finds its migrations: never bundled. */
const WORKER_FILE = path.join(process.cwd(), "lib", "sandbox", "worker.mjs");
/** How long past the deadline a worker may take to report before it is terminated. */
const KILL_MARGIN_MS = 250;
/**
 * The deadline of the check that the code compiles as the function body, in checkSyntax and at
 * the start of every run. Compiling 16 KiB takes a few milliseconds; only code that closes its
 * wrapper early (and so runs during the check) can reach this.
 */
const CHECK_TIMEOUT_MS = 100;
const ESCAPED = { name: "SyntaxError", message: "the code closes the function it is wrapped in" };
const START_TIMEOUT_MS = 10_000;
/** The worker's own V8 limits; QuickJS's heap is WebAssembly memory, bounded by memoryBytes. */
const WORKER_RESOURCE_LIMITS = {
  stackSizeMb: 4,
  maxOldGenerationSizeMb: 64,
  maxYoungGenerationSizeMb: 16,
};
const MAX_ERROR_NAME_CHARS = 100;
const MAX_ERROR_MESSAGE_CHARS = 500;

export function createSandbox(options: SandboxOptions): Sandbox {
  const limits: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, ...options.limits };
  const policy: FetchPolicy = {
    allowPrivate: options.allowPrivateAddresses,
    resolveHost: options.resolveHost ?? defaultResolveHost,
    maxFetches: limits.maxFetches,
    maxRequestBodyBytes: limits.maxRequestBodyBytes,
    maxResponseBodyBytes: limits.maxResponseBodyBytes,
    maxRedirects: limits.maxRedirects,
  };
  const pool = createWorkerPool({
    workerFile: WORKER_FILE,
    size: options.poolSize ?? 2,
    maxQueued: options.maxQueued ?? 32,
    killMarginMs: KILL_MARGIN_MS,
    startTimeoutMs: START_TIMEOUT_MS,
    resourceLimits: WORKER_RESOURCE_LIMITS,
  });

  function guestLimits(redact: Redactor): GuestLimits {
    return {
      timeoutMs: limits.timeoutMs,
      checkTimeoutMs: Math.min(CHECK_TIMEOUT_MS, limits.timeoutMs),
      memoryBytes: limits.memoryBytes,
      stackBytes: limits.stackBytes,
      maxLogLines: limits.maxLogLines,
      // Enough that a secret straddling the host's cut is still whole when it is redacted.
      guestTextChars:
        Math.max(limits.maxLogLineChars, MAX_ERROR_MESSAGE_CHARS) + redact.longestForm,
      maxValueBytes: limits.maxValueBytes,
      fetch: guestFetchLimits(policy),
    };
  }

  async function run(input: SandboxRunInput): Promise<SandboxOutcome> {
    const redact = createRedactor(Object.values(input.secrets));
    const jobLimits = guestLimits(redact);
    const fetches: SandboxFetch[] = [];
    const logs: string[] = [];
    const report = { fetches, logs };
    if (input.code.length > limits.maxCodeChars) {
      return failure("syntax", codeTooLong(limits), report, 0);
    }
    const result = await pool.submit(
      {
        type: "run",
        code: input.code,
        secrets: JSON.stringify(input.secrets),
        limits: jobLimits,
      },
      {
        fetch: (request, context) =>
          answerGuestFetch(request, { fetches, redact }, context, policy),
        refusedFetch: (notice) => recordRefusedFetch(notice, { fetches, redact }, policy),
        log: (line) => {
          if (logs.length < limits.maxLogLines)
            logs.push(guestText(redact, line, limits.maxLogLineChars, jobLimits));
        },
      },
    );
    return toOutcome(result, redact, report, limits, jobLimits, input.returnValue === "raw");
  }

  async function checkSyntax(code: string): Promise<{ ok: true } | { ok: false; message: string }> {
    if (code.length > limits.maxCodeChars) {
      const { name, message } = codeTooLong(limits);
      return { ok: false, message: `${name}: ${message}` };
    }
    const checkLimits = guestLimits(createRedactor([]));
    const result = await pool.submit(
      { type: "check", code, limits: checkLimits },
      {
        fetch: async () => JSON.stringify({ error: "no requests during a syntax check" }),
        refusedFetch: () => {},
        log: () => {},
      },
    );
    if (result.status === "finished" && result.outcome.ok) return { ok: true };
    const outcome = toOutcome(
      result,
      createRedactor([]),
      { fetches: [], logs: [] },
      limits,
      checkLimits,
    );
    if (outcome.ok) return { ok: true };
    const { name, message } = outcome.error;
    return {
      ok: false,
      message:
        outcome.kind === "syntax"
          ? `${name}: ${message}`
          : `The syntax check could not finish: ${name}: ${message}`,
      ...(outcome.kind === "unavailable" ? { unavailable: true } : {}),
    };
  }

  return { run, checkSyntax, close: () => pool.close() };
}

interface Report {
  fetches: SandboxFetch[];
  logs: string[];
}

function toOutcome(
  result: JobResult,
  redact: Redactor,
  report: Report,
  limits: SandboxLimits,
  jobLimits: GuestLimits,
  rawValue = false,
): SandboxOutcome {
  const durationMs = Math.round(result.durationMs);
  switch (result.status) {
    case "finished":
      return fromGuest(result.outcome, redact, report, limits, jobLimits, durationMs, rawValue);
    case "killed":
      switch (result.during) {
        case "sent":
          return failure("unavailable", UNANSWERED, report, durationMs);
        case "check":
          // Still checking long after the check's deadline, inside a built-in that never
          // consults the interrupt handler or in code that evades it: only code that escaped its
          // wrapper runs during the check.
          return failure("syntax", ESCAPED, report, durationMs);
        default:
          return failure("timeout", deadlineError(limits), report, durationMs);
      }
    case "lost":
      return result.reason === "out_of_memory"
        ? failure(
            "resources",
            { name: "InternalError", message: "out of memory" },
            report,
            durationMs,
          )
        : failure(
            "unavailable",
            { name: "SandboxError", message: "the sandbox's worker crashed; run the code again" },
            report,
            durationMs,
          );
    case "unavailable":
      return failure("unavailable", UNAVAILABLE[result.reason], report, durationMs);
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

const UNANSWERED = {
  name: "SandboxError",
  message: "the sandbox's worker did not answer; run the code again",
};

const UNAVAILABLE = {
  queue_full: { name: "SandboxBusy", message: "too many runs are waiting; try again shortly" },
  closed: { name: "SandboxClosed", message: "the sandbox is shut down" },
  start_failed: { name: "SandboxError", message: "the sandbox could not start" },
} as const;

function fromGuest(
  outcome: GuestOutcome,
  redact: Redactor,
  report: Report,
  limits: SandboxLimits,
  jobLimits: GuestLimits,
  durationMs: number,
  rawValue: boolean,
): SandboxOutcome {
  if (outcome.ok) {
    const bytes = Buffer.byteLength(outcome.json);
    if (bytes > limits.maxValueBytes) {
      // The worker refuses this already; the limit is the host's to keep.
      const message = `the returned value is ${bytes} bytes as JSON; the limit is ${limits.maxValueBytes}`;
      return failure("threw", { name: "ResultError", message }, report, durationMs);
    }
    const parsed = JSON.parse(outcome.json) as JsonValue;
    const value = rawValue ? parsed : (redactJson(parsed, redact) as JsonValue);
    return { ok: true, value, ...report, durationMs };
  }
  if (outcome.kind === "timeout") {
    const error =
      outcome.reason === "never_settles"
        ? {
            name: "TimeoutError",
            message: "the code is waiting for a promise that nothing can settle",
          }
        : deadlineError(limits);
    return failure("timeout", error, report, durationMs);
  }
  const error = {
    name: guestText(redact, outcome.name, MAX_ERROR_NAME_CHARS, jobLimits),
    message: guestText(redact, outcome.message, MAX_ERROR_MESSAGE_CHARS, jobLimits),
  };
  return failure(outcome.kind, error, report, durationMs);
}

function failure(
  kind: SandboxFailureKind,
  error: { name: string; message: string },
  report: Report,
  durationMs: number,
): SandboxOutcome {
  return { ok: false, kind, error: { ...error }, ...report, durationMs };
}

function deadlineError(limits: SandboxLimits): { name: string; message: string } {
  return {
    name: "TimeoutError",
    message: `the code did not finish within ${limits.timeoutMs / 1000} s`,
  };
}

function codeTooLong(limits: SandboxLimits): { name: string; message: string } {
  return {
    name: "SyntaxError",
    message: `the code is longer than ${limits.maxCodeChars} characters`,
  };
}

/**
 * Text from the guest, redacted and then cut to `max`. The guest sends at most guestTextChars of
 * it: text that long may have been cut there, before any redaction (see Redactor.cut).
 */
function guestText(redact: Redactor, text: string, max: number, jobLimits: GuestLimits): string {
  return redact.cut(text, max, text.length >= jobLimits.guestTextChars);
}
