/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // Type checking is done once by `npm run typecheck`; per-file transpiling keeps jest fast.
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json", diagnostics: false }],
  },
  // The examples import the package by name, as a user's program would; inside the repo that is the source.
  moduleNameMapper: {
    "^pulumi-palette-apikeys$": "<rootDir>/provider/index.ts",
    "^pulumi-palette-apikeys/sdk$": "<rootDir>/sdk/index.ts",
    "^pulumi-palette-apikeys/emulator$": "<rootDir>/emulator/index.ts",
    "^pulumi-palette-apikeys/native$": "<rootDir>/provider/native/sdk/index.ts",
  },
  moduleFileExtensions: ["ts", "js", "json"],
  // Releases what @pulumi/pulumi keeps process-wide after each file (see the file).
  setupFilesAfterEnv: ["<rootDir>/test/helpers/pulumi-teardown.ts"],
  // A hang detector, not a speed check: under contention (`npm run test:contention`, two suites at
  // once on 2 cores beside other work) an engine test that starts provider processes took over 30 s.
  testTimeout: 120000,
  // Jest's default on 2 cores is one worker; the engine suites mostly wait on child processes and
  // loopback servers: on 2 cores, three workers took the suite from 249 s to 222 s (idle, one run each),
  // and the timing-sensitive tests wait for events, not for fixed delays.
  maxWorkers: 3,
  // The packed-tarball test (npm pack with its full `prepare` build, an install, five type checks:
  // half a minute) is a leg of its own, `npm run test:package` (jest.package.config.js), which
  // .ci/run and each leg of the version matrix run; `npm test` stays inside its budget.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/package/pack.test.ts"],
  // Untimed files (a new one; all of them on CI's empty cache) of the process-starting folders first.
  testSequencer: "<rootDir>/test/helpers/slow-first-sequencer.js",
  // A worker still keeps part of every file's module registry (promises made during a test carry
  // jest-circus's per-file async context). A worker past ~500 MB took over jest's 500 ms to tear its
  // heap down at the end and was killed; one past this limit is replaced between files instead.
  workerIdleMemoryLimit: "400MB",
};
