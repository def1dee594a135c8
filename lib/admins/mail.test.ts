import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sendInvitationEmail, smtpSettings } from "./mail";

/** A real SMTP server on loopback: what it received, and with which credentials. */
const received: { from?: string; to: string[]; data: string; user?: string }[] = [];
let server: SMTPServer;
let port: number;

beforeAll(async () => {
  server = new SMTPServer({
    // Plain text on loopback: no certificate to trust, and AUTH allowed without TLS.
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === "s3cret pass") {
        callback(null, { user: auth.username });
      } else {
        callback(new Error("Invalid username or password"));
      }
    },
    onData(stream, session, callback) {
      let data = "";
      stream.on("data", (chunk: Buffer) => {
        data += chunk.toString("utf8");
      });
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          data,
          user: session.user as string | undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const message = {
  to: "grace@example.com",
  invitedBy: "ada@example.com",
  role: "admin" as const,
  link: "https://authdesk.example.com/invite/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde",
  expiresAt: new Date("2026-12-07T17:02:00Z"),
};

describe("the invitation email", () => {
  it("is sent only when both settings are present", () => {
    expect(smtpSettings({})).toBeNull();
    expect(smtpSettings({ AUTHDESK_SMTP_URL: "smtp://mail.example.com" })).toBeNull();
    expect(smtpSettings({ AUTHDESK_SMTP_FROM: "Authdesk <a@example.com>" })).toBeNull();
    expect(
      smtpSettings({
        AUTHDESK_SMTP_URL: "smtp://mail.example.com",
        AUTHDESK_SMTP_FROM: "a@example.com",
      }),
    ).toEqual({ url: "smtp://mail.example.com", from: "a@example.com" });
  });

  it("goes through the configured server with its credentials, saying who, which role, the link and until when", async () => {
    const sent = await sendInvitationEmail(
      {
        url: `smtp://mailer:${encodeURIComponent("s3cret pass")}@127.0.0.1:${port}`,
        from: "Authdesk <authdesk@example.com>",
      },
      message,
    );
    expect(sent).toBe(true);
    const mail = received.at(-1);
    expect(mail?.user).toBe("mailer");
    expect(mail?.from).toBe("authdesk@example.com");
    expect(mail?.to).toEqual(["grace@example.com"]);
    // Unfolded: long lines of a plain-text body may be wrapped (quoted-printable soft breaks).
    const body = (mail?.data ?? "").replace(/=\r?\n/g, "");
    expect(body).toContain("Subject: ada@example.com invited you to Authdesk");
    expect(body).toContain("ada@example.com invited you to join Authdesk as an Admin.");
    expect(body).toContain(message.link);
    expect(body).toContain("until Mon, 07 Dec 2026 17:02:00 GMT");
  });

  it("reports a failure (wrong password, no server) instead of throwing, and logs no link", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const wrongPassword = await sendInvitationEmail(
      { url: `smtp://mailer:wrong@127.0.0.1:${port}`, from: "authdesk@example.com" },
      message,
    );
    // A port nothing listens on: connection refused.
    const closed = new SMTPServer({ disabledCommands: ["STARTTLS"] });
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const noServer = await sendInvitationEmail(
      { url: `smtp://127.0.0.1:${closedPort}`, from: "authdesk@example.com" },
      message,
    );
    expect([wrongPassword, noServer]).toEqual([false, false]);
    const logged = log.mock.calls.map((call) => call.join(" ")).join("\n");
    expect(logged).toContain("could not be sent");
    expect(logged).not.toContain("/invite/");
    log.mockRestore();
  });
});
