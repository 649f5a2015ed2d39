/** The SDK's version, sent in the default User-Agent. Kept equal to package.json by a unit test. */
export const SDK_VERSION = "0.1.0";
