// Preloaded into a profiled provider host: SIGTERM ends it through process.exit, so `--cpu-prof` writes its profile.
process.on("SIGTERM", () => process.exit(0));
