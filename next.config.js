/**
 * `route.bench.ts` files (app/next-health) are benchmark scaffolding: built only when
 * AUTHDESK_BENCH_ROUTES=1 is set for `next build`, so the product never serves them.
 */
const pageExtensions = ["tsx", "ts", "jsx", "js"];
if (process.env.AUTHDESK_BENCH_ROUTES === "1") pageExtensions.push("bench.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  pageExtensions,
  // The PGlite WASM build and pg's optional native bindings must load from node_modules at run
  // time rather than be bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg"],
};

export default nextConfig;
