// `npm run test:package`: the packed-tarball test alone (see jest.config.js, testPathIgnorePatterns).
/** @type {import('jest').Config} */
module.exports = {
  ...require("./jest.config.js"),
  testPathIgnorePatterns: ["/node_modules/"],
  testMatch: ["<rootDir>/test/package/pack.test.ts"],
};
