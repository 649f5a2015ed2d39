/** The SPECTROCLOUD_* variables a provider reads, which would override the configuration under test. */

/** Spread into a child's environment (ProviderClient, an example script): each variable unset. */
export const NO_ENV_CREDENTIALS: Record<string, undefined> = {
  SPECTROCLOUD_HOST: undefined,
  SPECTROCLOUD_APIKEY: undefined,
  SPECTROCLOUD_PROJECT_UID: undefined,
  SPECTROCLOUD_USERNAME: undefined,
  SPECTROCLOUD_PASSWORD: undefined,
};

/** Removes them from this process's environment (the in-process provider reads it); returns the undo. */
export function withoutEnvCredentials(): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const name of Object.keys(NO_ENV_CREDENTIALS)) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  return () => {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  };
}
