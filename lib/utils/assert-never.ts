/** The exhaustive-switch guard: a new result variant that no case handles fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled result: ${JSON.stringify(value)}`);
}
