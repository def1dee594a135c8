/**
 * Creates an owner from a terminal: `npm run admin:create -- --email you@example.com`.
 * The password is asked for without echo, or read from standard input when it is not a
 * terminal (`printf '%s' "$PASSWORD" | npm run admin:create -- --email …`), never from argv,
 * where other users could read it in the process list.
 *
 * `npm run admin:create -- --reset-two-factor --email you@example.com` turns off that admin's
 * two-factor sign-in and ends their sessions: the way back in for someone who lost both their
 * authenticator and their recovery codes. Whoever can run this on the server could also read
 * the database, so it asks for nothing more.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { emailSchema, newPasswordSchema } from "@/lib/auth/schema";
import { createAdmin } from "@/lib/auth/service";
import { resetTwoFactor } from "@/lib/auth/two-factor";
import { startRuntime, stopRuntime } from "@/lib/runtime";
import { assertNever } from "@/lib/utils/assert-never";

async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
  }
  const terminal = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
  });
  // Echo nothing while the password is typed.
  (terminal as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => {};
  process.stdout.write(prompt);
  const answer = await new Promise<string>((resolve) => terminal.question("", resolve));
  terminal.close();
  process.stdout.write("\n");
  return answer;
}

const USAGE = [
  "Usage: npm run admin:create -- --email you@example.com  (a valid email is required)",
  "       npm run admin:create -- --reset-two-factor --email you@example.com",
].join("\n");

const ACTOR = { type: "system", label: "admin:create" } as const;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { email: { type: "string" }, "reset-two-factor": { type: "boolean" } },
  });
  const email = emailSchema.safeParse(values.email ?? "");
  if (!email.success) {
    console.error(USAGE);
    return 2;
  }
  if (values["reset-two-factor"]) return resetTwoFactorOf(email.data);
  const password = newPasswordSchema.safeParse(await readPassword("Password (12+ characters): "));
  if (!password.success) {
    console.error(`Password rejected: ${password.error.issues[0]?.message}`);
    return 2;
  }
  const runtime = await startRuntime();
  try {
    const result = await createAdmin(
      runtime.database.db,
      { email: email.data, password: password.data, role: "owner" },
      { actor: ACTOR, via: "cli", firstOnly: false },
    );
    if (!result.ok) {
      console.error(`An admin with the email ${email.data} already exists.`);
      return 1;
    }
    console.log(`Created owner ${result.admin.email} (${result.admin.id}).`);
    return 0;
  } finally {
    await stopRuntime();
  }
}

async function resetTwoFactorOf(email: string): Promise<number> {
  const runtime = await startRuntime();
  try {
    const result = await resetTwoFactor(runtime.database.db, email, ACTOR);
    if (result.ok) {
      console.log(
        `Two-factor sign-in is off for ${result.admin.email}; ${result.sessionsEnded} session(s) ended. ` +
          "They sign in with their password alone now, and set up two-factor again under Your account " +
          "(at once, if the organisation requires it).",
      );
      return 0;
    }
    switch (result.error) {
      case "admin_not_found":
        console.error(`No admin has the email ${email}. Nothing was changed.`);
        return 1;
      case "not_enabled":
        console.error(`${email} does not have two-factor sign-in on. Nothing was changed.`);
        return 1;
      default:
        return assertNever(result.error);
    }
  } finally {
    await stopRuntime();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
