import "server-only";
import nodemailer from "nodemailer";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from "@/lib/auth/roles";

/**
 * The optional invitation email. Authdesk depends on no mail server: the link is always shown to
 * the inviting owner; with AUTHDESK_SMTP_URL and AUTHDESK_SMTP_FROM set it is also emailed.
 */
export interface SmtpSettings {
  url: string;
  from: string;
}

/** Both settings, or null: a sender without a server (or the reverse) sends nothing. */
export function smtpSettings(source: {
  AUTHDESK_SMTP_URL?: string;
  AUTHDESK_SMTP_FROM?: string;
}): SmtpSettings | null {
  const { AUTHDESK_SMTP_URL: url, AUTHDESK_SMTP_FROM: from } = source;
  return url && from ? { url, from } : null;
}

export interface InvitationMessage {
  to: string;
  invitedBy: string;
  role: Role;
  link: string;
  expiresAt: Date;
}

/**
 * Short timeouts: the owner's request waits for this, and nodemailer's defaults (minutes) would
 * leave them looking at a spinner when the server is unreachable. The invitation is already
 * committed, so a failure loses nothing; the page says to pass the link on instead.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

export async function sendInvitationEmail(
  settings: SmtpSettings,
  message: InvitationMessage,
): Promise<boolean> {
  try {
    const transport = nodemailer.createTransport({ url: settings.url, ...TIMEOUTS } as never);
    await transport.sendMail({
      from: settings.from,
      to: message.to,
      subject: `${message.invitedBy} invited you to Authdesk`,
      text: invitationText(message),
    });
    transport.close();
    return true;
  } catch (error) {
    // The SMTP server's answer or the network error, never the message (it holds the link).
    const code = (error as { code?: unknown }).code;
    const reason = error instanceof Error ? error.message.split("\n")[0]?.slice(0, 300) : "";
    console.error(
      `admins: the invitation email could not be sent: ${String(code ?? "")} ${reason}`,
    );
    return false;
  }
}

export function invitationText(message: InvitationMessage): string {
  const role = ROLE_LABELS[message.role];
  return [
    `${message.invitedBy} invited you to join Authdesk as ${article(role)} ${role}.`,
    `${role}: ${ROLE_DESCRIPTIONS[message.role]}.`,
    "",
    "Open this link to choose your password and sign in:",
    message.link,
    "",
    `The link works once, until ${message.expiresAt.toUTCString()}.`,
    "If you did not expect this invitation, ignore this email.",
  ].join("\n");
}

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? "an" : "a";
}
