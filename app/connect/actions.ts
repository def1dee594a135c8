"use server";

import { cookies } from "next/headers";
import { z } from "zod";
import { trustedCallbackOrigin } from "@/lib/http/public-origin";
import {
  CALLBACK_PATH,
  type ConnectFormResult,
  type LinkProblem,
  type StartOAuthResult,
} from "@/lib/integrations/connect-contract";
import { returnUrlWith } from "@/lib/integrations/connect-sessions";
import { hashToken, newRandomToken, RANDOM_TOKEN_PATTERN } from "@/lib/integrations/connect-tokens";
import { type ConnectWithLinkResult, connectWithLink } from "@/lib/integrations/connect-with-link";
import { startAuthorization } from "@/lib/integrations/oauth/flow";
import type { OAuthErrorCode } from "@/lib/integrations/oauth/types";
import { connectionValuesSchema } from "@/lib/integrations/schema";
import { assertNever } from "@/lib/utils/assert-never";
import { CONNECT_BINDING_COOKIE, oauthDependencies } from "./binding";
import { CONNECT_UNEXPECTED, connectRequest, logConnectFailure } from "./request";

/*
 * The hosted connect page's actions. No admin session: the link's token is the only credential,
 * so each action takes it as an argument, parses everything it is given, and asks the service
 * whether the link still works before doing anything.
 */

/** Any string a link could hold; openConnectSession looks up only well-formed ones. */
const tokenSchema = z.string().max(100);

/**
 * Links whose form is being checked right now, in this process (by token hash). The test code
 * runs in the sandbox shared with the console and the API; one link keeps at most one run busy.
 */
const checking = new Set<string>();

export async function connectWithValuesAction(
  token: unknown,
  values: unknown,
): Promise<ConnectFormResult> {
  const parsedToken = tokenSchema.safeParse(token);
  if (!parsedToken.success) return linkProblem("invalid", null);
  const parsedValues = connectionValuesSchema.safeParse(values);
  if (!parsedValues.success) return { ok: false, formError: "Fill in each field once." };
  const key = hashToken(parsedToken.data);
  if (checking.has(key)) {
    return { ok: false, formError: "These details are being checked already. Wait a moment." };
  }
  checking.add(key);
  try {
    const { runtime, clientAddress } = await connectRequest();
    const result = await connectWithLink(
      runtime.database.db,
      { keyring: runtime.keyring, sandbox: runtime.sandbox },
      { token: parsedToken.data, values: parsedValues.data },
      clientAddress,
    );
    return formAnswer(result);
  } catch (error) {
    logConnectFailure("store a connection", error);
    return { ok: false, formError: CONNECT_UNEXPECTED };
  } finally {
    checking.delete(key);
  }
}

function formAnswer(result: ConnectWithLinkResult): ConnectFormResult {
  if (result.ok) return { ok: true, returnTo: result.returnTo };
  switch (result.error) {
    case "link":
      return linkProblem(result.problem, result.returnUrl);
    case "not_found":
      return linkProblem("invalid", null);
    // The integration became an OAuth one after the page was loaded.
    case "oauth_flow_required":
    case "auth_changed":
      return linkProblem("auth_changed", null);
    case "invalid":
      return {
        ok: false,
        fieldErrors: Object.fromEntries(
          result.issues.map((issue) => [issue.path.join("."), issue.message]),
        ),
      };
    case "test_failed":
      // The sandbox redacted every submitted value from the error already.
      return {
        ok: false,
        testFailed: {
          reason: result.test.ok ? "" : `${result.test.error.name}: ${result.test.error.message}`,
        },
      };
    case "sandbox_unavailable":
      return {
        ok: false,
        formError: "We could not check these details right now. Try again in a moment.",
      };
    default:
      return assertNever(result);
  }
}

/**
 * The Connect button of an OAuth integration: binds the flow to this browser (an HttpOnly cookie
 * whose hash the state keeps) and answers the provider's authorization URL. The browser goes
 * there with window.location: CSP's form-action would refuse a redirect to the provider.
 */
export async function startOAuthAction(token: unknown): Promise<StartOAuthResult> {
  const parsedToken = tokenSchema.safeParse(token);
  if (!parsedToken.success) return linkProblem("invalid", null);
  try {
    const { runtime, origin, https } = await connectRequest();
    const callbackOrigin = trustedCallbackOrigin(
      {
        publicUrl: runtime.env.AUTHDESK_PUBLIC_URL,
        host: runtime.env.HOST,
        port: runtime.env.PORT,
      },
      origin,
    );
    if (!callbackOrigin) {
      console.warn(
        `connect page: refused an OAuth sign-in reached at ${origin}: set AUTHDESK_PUBLIC_URL to the origin end users use, so the callback URL never comes from a Host header`,
      );
      return { ok: false, formError: startFailure("not_configured") };
    }
    const browserBinding = await browserBindingCookie(https);
    const result = await startAuthorization(oauthDependencies(runtime), {
      token: parsedToken.data,
      redirectUri: `${callbackOrigin}${CALLBACK_PATH}`,
      browserBinding,
    });
    if (result.ok) return { ok: true, authorizationUrl: result.authorizationUrl };
    if ("problem" in result) return linkProblem(result.problem, null);
    return { ok: false, formError: startFailure(result.error) };
  } catch (error) {
    logConnectFailure("start an OAuth sign-in", error);
    return { ok: false, formError: CONNECT_UNEXPECTED };
  }
}

/** The browser's binding: reused while it lasts (several tabs, a retry), otherwise made anew. */
async function browserBindingCookie(https: boolean): Promise<string> {
  const jar = await cookies();
  const existing = jar.get(CONNECT_BINDING_COOKIE)?.value;
  const binding = existing && RANDOM_TOKEN_PATTERN.test(existing) ? existing : newRandomToken();
  jar.set(CONNECT_BINDING_COOKIE, binding, {
    httpOnly: true,
    sameSite: "lax",
    secure: https,
    path: "/connect",
    maxAge: 60 * 60,
  });
  return binding;
}

function startFailure(error: OAuthErrorCode): string {
  switch (error) {
    case "not_configured":
      return "Sign-in for this service is not set up completely yet. Tell the app that sent you this link.";
    case "unreachable":
    case "discovery_failed":
    case "registration_failed":
      return "We could not reach the service's sign-in. Try again in a few minutes.";
    case "invalid_grant":
    case "invalid_client":
    case "rejected":
    case "invalid_response":
    case "custom_code_failed":
      return "The service's sign-in refused to start. Try again; if it keeps failing, tell the app that sent you this link.";
    default:
      return assertNever(error);
  }
}

function linkProblem(problem: LinkProblem, returnUrl: string | null) {
  return { ok: false as const, problem, returnTo: returnUrlWith(returnUrl, { error: problem }) };
}
