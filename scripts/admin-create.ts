/**
 * Creates an admin from a terminal: `npm run admin:create -- --email you@example.com`.
 * The password is asked for without echo, or read from standard input when it is not a
 * terminal (`printf '%s' "$PASSWORD" | npm run admin:create -- --email …`), never from argv,
 * where other users could read it in the process list.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { emailSchema, newPasswordSchema } from "@/lib/auth/schema";
import { createAdmin } from "@/lib/auth/service";
import { startRuntime, stopRuntime } from "@/lib/runtime";

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

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: "string" } } });
  const email = emailSchema.safeParse(values.email ?? "");
  if (!email.success) {
    console.error(
      "Usage: npm run admin:create -- --email you@example.com  (a valid email is required)",
    );
    return 2;
  }
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
      {
        actor: { type: "system", label: "admin:create" },
        via: "cli",
        firstOnly: false,
      },
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
