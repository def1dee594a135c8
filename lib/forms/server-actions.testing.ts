/**
 * Every exported server action, found from the code, and a stand-in for Next's request context
 * so tests can call them. Not part of the app: only *.test.ts files import this. A test that
 * must hold for every action (junk arguments, roles) takes its list from here, so an action
 * added later is covered without anyone remembering to list it.
 */
import "server-only";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Where actions may live: pages' folders, shared code, components. */
const SOURCE_DIRECTORIES = ["app", "lib", "components"];

export type ServerAction = (...args: unknown[]) => Promise<unknown>;

export interface ExportedServerAction {
  /** "app/(auth)/actions.ts#signInAction" */
  label: string;
  file: string;
  name: string;
  action: ServerAction;
}

/** A file-level directive: the first statement, after comments. */
const FILE_DIRECTIVE = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']use server["']/;
const ANY_DIRECTIVE = /["']use server["']/;

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, directory), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const relative = path.join(directory, entry.name);
      if (entry.isDirectory()) return sourceFiles(relative);
      return /\.tsx?$/.test(entry.name) && !/\.(test|testing)\.tsx?$/.test(entry.name)
        ? [relative]
        : [];
    }),
  );
  return nested.flat();
}

/** The source files that declare server actions: whole modules, and inline ones elsewhere. */
export async function serverActionFiles(): Promise<{ modules: string[]; inline: string[] }> {
  const modules: string[] = [];
  const inline: string[] = [];
  for (const directory of SOURCE_DIRECTORIES) {
    for (const file of await sourceFiles(directory)) {
      const text = await readFile(path.join(ROOT, file), "utf8");
      if (FILE_DIRECTIVE.test(text)) modules.push(file);
      else if (ANY_DIRECTIVE.test(text)) inline.push(file);
    }
  }
  return { modules: modules.sort(), inline: inline.sort() };
}

/** Every function a "use server" module exports: each one is a public endpoint. */
export async function exportedServerActions(): Promise<ExportedServerAction[]> {
  const { modules } = await serverActionFiles();
  const actions: ExportedServerAction[] = [];
  for (const file of modules) {
    const exports = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== "function") continue;
      actions.push({ label: `${file}#${name}`, file, name, action: value as ServerAction });
    }
  }
  return actions;
}

/**
 * What an action sees of its request through next/headers. Tests mock next/headers with
 * `nextHeadersStub` and set the cookies and headers here; everything else is the real code.
 */
export const testRequest = {
  headers: new Headers({ "user-agent": "vitest", host: "127.0.0.1:3000" }),
  cookies: new Map<string, string>(),
};

export const nextHeadersStub = {
  headers: async () => testRequest.headers,
  cookies: async () => ({
    get: (name: string) => {
      const value = testRequest.cookies.get(name);
      return value === undefined ? undefined : { name, value };
    },
    set: (name: string, value: string) => {
      testRequest.cookies.set(name, value);
    },
    delete: (name: string) => {
      testRequest.cookies.delete(name);
    },
  }),
};

/** Next's redirect() throws this to end an action with a redirect: a clean answer, not a 500. */
export function isRedirect(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" && digest.startsWith("NEXT_REDIRECT");
}
