import type { RunningEmulator } from "../../emulator";

/**
 * One emulator for the whole test file: started before the first test and handed to `use`, reset
 * after each test (so every test starts from the seed), closed after the last.
 */
export function emulatorPerFile(start: () => Promise<RunningEmulator>, use: (emu: RunningEmulator) => void): void {
  let emu: RunningEmulator | undefined;
  beforeAll(async () => {
    emu = await start();
    use(emu);
  });
  afterEach(() => emu?.reset());
  afterAll(() => emu?.close());
}
