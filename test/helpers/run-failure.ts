import { RunFailedError, type RunResult } from "../../runner/offline-engine";

/** Awaits an offline-runner run that must fail and returns what it did; a run that succeeds fails the test. */
export async function runFailure(run: Promise<RunResult>): Promise<RunResult> {
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RunFailedError);
  return (e as RunFailedError).result;
}
