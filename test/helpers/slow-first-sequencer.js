// jest's testSequencer (jest.config.js): jest's own order, except for files it has no timing for.
//
// jest runs the files that failed last time first, then the slowest first by the durations of the last
// run kept in its cache directory, so that no long file starts last and runs alone at the end. A file
// it has no duration for (a new file, or every file on a CI machine, whose cache starts empty) it runs
// after all the timed ones, ordered by size. Here such a file is placed by where it lives instead: one
// under a folder whose tests start processes (engine, package, reliability, e2e: 5 to 30 s each) runs
// before every timed file, and any other (unit, integration: under 5 s) after them. On an empty cache
// that runs the process-starting suites first, and a new engine test never becomes the run's tail.
const Sequencer = require("@jest/test-sequencer").default;
const path = require("node:path");

const SLOW_FOLDERS = ["engine", "package", "reliability", "e2e"].map((f) => path.join(__dirname, "..", f) + path.sep);
const isSlowFolder = (file) => SLOW_FOLDERS.some((folder) => file.startsWith(folder));

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    // jest's order: failed first, then timed (slowest first), then untimed (largest first).
    const ordered = super.sort(tests);
    const group = (test) => {
      if (this.hasFailed(test)) return 0;
      if (test.duration == null && isSlowFolder(test.path)) return 1;
      if (test.duration != null) return 2;
      return 3;
    };
    // Array.prototype.sort is stable: within a group jest's order stands.
    return ordered.sort((a, b) => group(a) - group(b));
  }
}

module.exports = SlowFirstSequencer;
