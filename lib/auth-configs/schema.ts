import { z } from "zod";

/**
 * The create form's input, validated by the same schema in the browser and in the server action.
 * Whether plain-http token URLs are allowed is a server setting, passed in by whoever validates.
 */
export const AUTH_METHODS = ["client_secret_basic", "client_secret_post"] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export const AUTH_METHOD_LABELS: Record<AuthMethod, string> = {
  client_secret_basic: "HTTP Basic (client_secret_basic)",
  client_secret_post: "Form body (client_secret_post)",
};

/** RFC 6749 §3.3 scope-token characters: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform((value) => value || undefined);

export function createAuthConfigSchema(options: { allowPrivateTokenUrls: boolean }) {
  return z
    .object({
      identifier: z
        .string()
        .trim()
        .min(1, "Enter an identifier")
        .max(64, "Use at most 64 characters")
        .regex(
          /^[A-Za-z0-9._-]+$/,
          "Use only letters, digits, dots, underscores and hyphens (no spaces)",
        ),
      tokenUrl: z
        .string()
        .trim()
        .min(1, "Enter the access token URL")
        .max(2048, "Use at most 2,048 characters")
        .superRefine((value, context) => {
          const problem = tokenUrlProblem(value, options.allowPrivateTokenUrls);
          if (problem) context.addIssue({ code: "custom", message: problem });
        }),
      scope: z
        .string()
        .max(1024, "Use at most 1,024 characters")
        .transform((value) => value.split(/\s+/).filter(Boolean).join(" "))
        .refine((value) => value.length > 0, "Enter at least one scope")
        .refine(
          (value) => value.split(" ").every((token) => SCOPE_TOKEN.test(token)),
          "Scopes are separated by spaces and cannot contain quotes or backslashes",
        ),
      clientId: z
        .string()
        .trim()
        .min(1, "Enter the client ID")
        .max(512, "Use at most 512 characters"),
      clientSecret: z
        .string()
        .trim()
        .min(1, "Enter the client secret")
        .max(4096, "Use at most 4,096 characters"),
      authMethod: z
        .enum(AUTH_METHODS, { message: "Choose how the client authenticates" })
        .default("client_secret_basic"),
      audience: optionalText(512, "Use at most 512 characters"),
      description: optionalText(500, "Use at most 500 characters"),
    })
    .strict();
}

export type CreateAuthConfigInput = z.output<ReturnType<typeof createAuthConfigSchema>>;
export type CreateAuthConfigFields = keyof CreateAuthConfigInput;

function tokenUrlProblem(value: string, allowPrivateTokenUrls: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter an absolute URL, like https://auth.example.com/oauth/token";
  }
  if (url.protocol === "http:" && !allowPrivateTokenUrls) return "Use an https URL";
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Use an https URL";
  if (url.username || url.password)
    return "Put credentials in Client ID and Client Secret, not in the URL";
  if (url.hash) return "Remove the #fragment: token endpoints do not take one";
  return undefined;
}
