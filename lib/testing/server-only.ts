// Vitest and the Node scripts run outside React's server bundle, where the real `server-only`
// package throws on import; they resolve it to this empty module instead.
export {};
