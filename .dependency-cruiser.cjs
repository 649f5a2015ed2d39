// The import-cycle guard of `npm run lint` (ARCHITECTURE.md, "Folders and what they may import").
// eslint's import/no-cycle skips type-only imports and `require()`; a circle through either still
// couples two modules (and a static import back undoes a lazy `require`), so dependency-cruiser,
// which sees both (`tsPreCompilationDeps`), checks every source folder. The folder zones themselves
// stay in eslint.config.mjs.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import circle, counting type-only imports and require(): split the shared part into a leaf module both import.",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules|coverage)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["cjs", "es6"],
  },
};
