// Node-side entry points (server.ts, scripts, benchmarks) load lib/ modules that import
// "server-only". That package throws unless React's server bundler resolves it, so outside
// Next's bundle we resolve it to an empty module. Next's own bundle still enforces it.
import { register } from "node:module";

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,", shortCircuit: true };
  return next(specifier, context);
}`;

register(`data:text/javascript,${encodeURIComponent(hook)}`);
