import "server-only";
import { z } from "zod";
import { parseTrustProxy } from "@/lib/http/request-context";

const flag = z.enum(["true", "false"]).transform((value) => value === "true");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  AUTHDESK_DATA_DIR: z.string().min(1).default(".data"),
  AUTHDESK_ENCRYPTION_KEYS: z.string().optional(),
  /** Which proxies' X-Forwarded-For / X-Forwarded-Proto to believe (lib/http/request-context.ts). */
  AUTHDESK_TRUST_PROXY: z
    .string()
    .default("false")
    .transform((value, context) => {
      const parsed = parseTrustProxy(value.trim());
      if (typeof parsed !== "string") return parsed;
      context.addIssue({ code: "custom", message: parsed });
      return z.NEVER;
    }),
  AUTHDESK_SESSION_HOURS: z.coerce
    .number()
    .min(0.25)
    .max(24 * 30)
    .default(12),
  /** A session unused for this long ends, whatever AUTHDESK_SESSION_HOURS allows. */
  AUTHDESK_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60 * 30)
    .default(30),
  /** Lets auth-config token URLs use http and reach loopback or private addresses (tests, labs). */
  AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS: flag.default(false),
  /**
   * The origin people and programs reach Authdesk at (https://authdesk.example.com), used as the
   * OAuth issuer in /.well-known/oauth-authorization-server. Unset: each request's own origin.
   */
  AUTHDESK_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .refine((value) => new URL(value).pathname === "/" && !new URL(value).search, {
      message: "must be an origin such as https://authdesk.example.com, without a path",
    })
    .transform((value) => new URL(value).origin)
    .optional(),
  /**
   * Optional: the mail server invitations are also emailed through (smtp://user:pass@host:587,
   * or smtps:// for TLS from the first byte). Without it, or without AUTHDESK_SMTP_FROM, the
   * inviting owner passes the link on themselves.
   */
  AUTHDESK_SMTP_URL: z
    .url({ protocol: /^smtps?$/, message: "must be an smtp:// or smtps:// URL" })
    .optional(),
  /** The invitation email's sender, e.g. `Authdesk <authdesk@example.com>`. */
  AUTHDESK_SMTP_FROM: z.string().trim().min(3).max(320).optional(),
  /** Requests per minute each API client (or till) may make to /api, all instances together. */
  AUTHDESK_API_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000_000).default(6_000),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses the environment; empty strings count as unset so `FOO=` in a shell behaves like no FOO. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = envSchema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join(".")}: ${issue.message}`,
  );
  throw new EnvError(`Invalid environment:\n${problems.join("\n")}`);
}

let cached: Env | undefined;

/** The validated environment of this process, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
