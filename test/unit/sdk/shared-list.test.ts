import { SharedRequest } from "../../../sdk/resources/shared-list";

/** A request whose sending and answering the test drives: `sent()` puts it on the wire, `answer()` ends it. */
function scripted() {
  const started: { send: () => void; resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  const shared = new SharedRequest<number>(
    (onSend) =>
      new Promise<number>((resolve, reject) => {
        started.push({ send: onSend, resolve, reject });
      }),
    1,
    1_000,
  );
  const until = async (n: number): Promise<void> => {
    while (started.length < n) await new Promise((r) => setTimeout(r, 1));
  };
  return { shared, started, until };
}

describe("SharedRequest", () => {
  test("everyone who asks before the request is sent shares it; who asks after waits for the next one", async () => {
    const { shared, started, until } = scripted();
    const early = [shared.get(), shared.get()];
    await until(1);
    const stillOpen = shared.get(); // started but not on the wire yet (paced): may still join
    started[0]!.send();
    const late = shared.get(); // the first request is on the wire: its answer may predate this question
    started[0]!.resolve(1);
    expect(await Promise.all([...early, stillOpen])).toEqual([1, 1, 1]);
    await until(2);
    started[1]!.send();
    started[1]!.resolve(2);
    expect(await late).toEqual(2);
    expect(started).toHaveLength(2);
  });

  test("one request at a time: the next batch goes only once the one in flight is answered", async () => {
    const { shared, started, until } = scripted();
    const first = shared.get();
    await until(1);
    started[0]!.send();
    const second = shared.get();
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toHaveLength(1);
    started[0]!.reject(new Error("boom"));
    await expect(first).rejects.toThrow("boom");
    await until(2);
    started[1]!.resolve(7);
    expect(await second).toBe(7);
  });

  test("a request that fails before it is sent fails its batch only: the next caller starts afresh", async () => {
    const { shared, started, until } = scripted();
    const doomed = shared.get();
    await until(1);
    started[0]!.reject(new Error("deadline while paced"));
    await expect(doomed).rejects.toThrow("deadline while paced");
    const next = shared.get();
    await until(2);
    started[1]!.resolve(3);
    expect(await next).toBe(3);
  });

  test("a lone caller is sent at once; callers who came together wait for more to join", async () => {
    jest.useFakeTimers();
    try {
      let sends = 0;
      const shared = new SharedRequest<number>(async (onSend) => {
        onSend();
        return ++sends;
      }, 200, 1_000);
      const settled = <T>(p: Promise<T>) => {
        const state = { done: false };
        void p.then(() => (state.done = true));
        return state;
      };
      // No clock time passes: a lone caller, and sequential callers after it, never wait out a gather.
      const lone = settled(shared.get());
      await jest.advanceTimersByTimeAsync(0);
      expect(lone.done).toBe(true);
      const next = settled(shared.get());
      await jest.advanceTimersByTimeAsync(0);
      expect(next.done).toBe(true);
      expect(sends).toBe(2);

      const crowd = [shared.get(), shared.get(), shared.get()];
      await jest.advanceTimersByTimeAsync(100);
      crowd.push(shared.get()); // joins during the quiet spell
      await jest.advanceTimersByTimeAsync(199);
      expect(sends).toBe(2); // still gathering: 199 ms since the last caller joined
      await jest.advanceTimersByTimeAsync(200);
      expect(await Promise.all(crowd)).toEqual([3, 3, 3, 3]);
      expect(sends).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
