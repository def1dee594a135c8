export * from "./admins";
export * from "./api-clients";
export * from "./audit";
export * from "./auth-configs";
export * from "./integrations";
export * from "./rate-limits";
