/**
 * The pipeline files under examples/ parse as YAML and run the commands that matter: preview with the
 * diff on every PR/MR, up on the main branch, a nightly preview --refresh --expect-no-changes. No CI
 * runs here, so this checks the files' shape, not GitHub's or GitLab's behaviour.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../../..");
// js-yaml is a dependency of @pulumi/pulumi, not ours: borrow its copy.
const yaml = createRequire(require.resolve("@pulumi/pulumi"))("js-yaml") as { load(text: string): unknown };

type Map = Record<string, unknown>;
interface Step {
  uses?: string;
  run?: string;
  with?: Map;
}
interface GithubJob {
  if?: string;
  steps: Step[];
}

const load = (file: string): Map => yaml.load(fs.readFileSync(path.join(REPO, file), "utf8")) as Map;
/** The `with:` of every pulumi/actions step of a job. */
const pulumiSteps = (job: GithubJob | undefined): Map[] =>
  (job?.steps ?? []).filter((s) => s.uses?.startsWith("pulumi/actions@")).map((s) => s.with ?? {});
const projectOf = (dir: string): string | undefined =>
  /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(REPO, dir, "Pulumi.yaml"), "utf8"))?.[1];

describe("GitHub Actions: examples/gitops/github/palette-apikeys.yml", () => {
  const wf = load("examples/gitops/github/palette-apikeys.yml");
  const jobs = wf.jobs as Record<string, GithubJob>;

  it("triggers on pull requests, pushes to main and a schedule", () => {
    const on = wf.on as Map;
    expect(Object.keys(on).sort()).toEqual(["pull_request", "push", "schedule"]);
    expect((on.push as Map).branches).toEqual(["main"]);
    expect((on.schedule as Map[])[0]?.cron).toMatch(/^\S+ \S+ \* \* \*$/);
  });

  it("pull request: preview --diff, posted on the PR; main: up; nightly: preview --refresh --expect-no-changes", () => {
    expect(jobs.preview?.if).toBe("github.event_name == 'pull_request'");
    expect(pulumiSteps(jobs.preview)).toEqual([expect.objectContaining({ command: "preview", diff: true, "comment-on-pr": true })]);
    expect(jobs.up?.if).toBe("github.event_name == 'push'");
    expect(pulumiSteps(jobs.up)).toEqual([expect.objectContaining({ command: "up" })]);
    expect(jobs.drift?.if).toBe("github.event_name == 'schedule'");
    expect(pulumiSteps(jobs.drift)).toEqual([expect.objectContaining({ command: "preview", refresh: true, "expect-no-changes": true })]);
    // One stack, one project directory, for all three.
    const targets = new Set(["preview", "up", "drift"].map((j) => JSON.stringify(pulumiSteps(jobs[j]).map((w) => [w["stack-name"], w["work-dir"]]))));
    expect(targets.size).toBe(1);
  });

  it("takes the Palette key from the repository's secrets", () => {
    expect((wf.env as Map).SPECTROCLOUD_APIKEY).toBe("${{ secrets.SPECTROCLOUD_APIKEY }}");
  });
});

describe("GitHub Actions: examples/drift-detection/drift-check.yml", () => {
  const wf = load("examples/drift-detection/drift-check.yml");

  it("runs preview --refresh --expect-no-changes nightly on the drift-detection project's stack", () => {
    expect(Object.keys(wf.on as Map)).toContain("schedule");
    const steps = Object.values(wf.jobs as Record<string, GithubJob>).flatMap((j) => pulumiSteps(j));
    expect(steps).toEqual([expect.objectContaining({ command: "preview", refresh: true, "expect-no-changes": true, "work-dir": "examples/drift-detection" })]);
    // Pulumi refuses a stack name whose project is not the one in work-dir's Pulumi.yaml.
    const project = String(steps[0]?.["stack-name"]).split("/")[1];
    expect(project).toBe(projectOf("examples/drift-detection"));
  });
});

describe("GitHub Actions: examples/audit/audit.yml", () => {
  const wf = load("examples/audit/audit.yml");

  it("runs the audit nightly, failing on expiring or orphaned keys, with the key from the repository's secrets", () => {
    expect(Object.keys(wf.on as Map)).toContain("schedule");
    const runs = Object.values(wf.jobs as Record<string, GithubJob>).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    expect(runs).toContain("npx palette-apikeys audit --within 14d --fail-on expiring,orphaned");
    expect((wf.jobs as Record<string, { env: Map }>).audit?.env.SPECTROCLOUD_APIKEY).toBe("${{ secrets.SPECTROCLOUD_APIKEY }}");
  });
});

describe("GitLab CI: examples/gitops/gitlab/.gitlab-ci.yml", () => {
  const ci = load("examples/gitops/gitlab/.gitlab-ci.yml");
  type Job = { stage: string; rules: { if: string }[]; script: string[] };
  const job = (name: string): Job => ci[name] as Job;
  const pulumiLines = (name: string): string[] => job(name).script.filter((l) => l.trimStart().startsWith("pulumi "));

  it("every job's stage is declared", () => {
    for (const name of ["preview", "deploy", "drift"]) expect(ci.stages).toContain(job(name).stage);
  });

  it("merge request: preview --diff, posted as an MR note", () => {
    expect(job("preview").rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(pulumiLines("preview")).toEqual([expect.stringMatching(/^pulumi preview .*--diff.*\| tee preview\.txt$/)]);
    expect(job("preview").script.join("\n")).toContain("merge_requests/$CI_MERGE_REQUEST_IID/notes");
  });

  it("default branch: up --yes, not on schedules", () => {
    expect(job("deploy").rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "schedule"' }]);
    expect(pulumiLines("deploy")).toEqual([expect.stringMatching(/^pulumi up .*--yes/)]);
  });

  it("schedule: preview --refresh --expect-no-changes", () => {
    expect(job("drift").rules[0]?.if).toMatch(/^\$CI_PIPELINE_SOURCE == "schedule"/);
    expect(pulumiLines("drift")).toEqual([expect.stringMatching(/^pulumi preview (?=.*--refresh)(?=.*--expect-no-changes)/)]);
  });
});

describe("Node.js and @pulumi/pulumi in every example pipeline", () => {
  const workflows = ["examples/gitops/github/palette-apikeys.yml", "examples/drift-detection/drift-check.yml", "examples/terraform/gitops.yml", "examples/audit/audit.yml"];
  const pulumiPipelines = ["examples/gitops/github/palette-apikeys.yml", "examples/drift-detection/drift-check.yml", "examples/gitops/gitlab/.gitlab-ci.yml"];
  const matrix = fs.readFileSync(path.join(REPO, "scripts/ci-matrix.sh"), "utf8");
  const [, node, tested] = /^NEWEST_NODE=((\d+)\.\d+\.\d+)$/m.exec(matrix) ?? [];
  const newestPulumi = /^NEWEST_PULUMI=(\d+\.\d+\.\d+)$/m.exec(matrix)?.[1];

  it("is the major release CI tests with the newest @pulumi/pulumi (scripts/ci-matrix.sh), as the README's table says", () => {
    // A pipeline's fresh `npm install @pulumi/pulumi` gets the newest release, which needs that Node.js.
    expect([tested, newestPulumi]).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^3\.\d+\.\d+$/)]);
    const used = workflows.flatMap((file) =>
      Object.values(load(file).jobs as Record<string, GithubJob>)
        .flatMap((job) => job.steps)
        .filter((s) => s.uses?.startsWith("actions/setup-node@"))
        .map((s) => `${file}: ${String(s.with?.["node-version"])}`),
    );
    used.push(`examples/gitops/gitlab/.gitlab-ci.yml: ${String(load("examples/gitops/gitlab/.gitlab-ci.yml").image).replace(/^node:/, "")}`);
    expect(used).toHaveLength(7);
    expect(used.filter((u) => !u.endsWith(`: ${tested}`))).toEqual([]);
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    expect(readme).toContain(`| ${node} | ${newestPulumi} (the newest) |`);
    expect(readme).toContain(`The example pipelines run on Node.js ${tested}`);
  });

  it("say in their header which Node.js and @pulumi/pulumi releases are tested: CI's, from the peer range's floor to the newest", () => {
    const peer = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { peerDependencies: Record<string, string> }).peerDependencies["@pulumi/pulumi"];
    const floor = /^\^(\d+\.\d+\.\d+)$/.exec(peer ?? "")?.[1];
    expect(floor).toBeDefined();
    const header = (file: string) => fs.readFileSync(path.join(REPO, file), "utf8").split("\n").filter((l) => l.startsWith("#")).join("\n");
    const stale = [...workflows, "examples/gitops/gitlab/.gitlab-ci.yml"].filter((file) => {
      const expected = pulumiPipelines.includes(file) ? `# Tested with Node.js ${tested} and @pulumi/pulumi ${floor} to ${newestPulumi} ` : `# Tested with Node.js ${tested} `;
      return !header(file).includes(expected);
    });
    expect(stale).toEqual([]);
  });
});
