import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The test files that take longest, longest first (seconds of one file's tests in a full run of
 * 1 December 2026 with files sharing their worker, on a 2-core machine: the order matters, not the
 * figures). Refresh it from a run's JSON report (`--reporter=json --outputFile=…`) when the slowest
 * files change: a stale entry costs nothing, a missing one only runs later.
 */
export const SLOWEST_FILES: readonly string[] = [
  "test/bench/smoke.test.ts", // 59
  "test/faults/process-faults.test.ts", // 53
  "test/scripts/start.test.ts", // 34
  "test/faults/chain-faults.test.ts", // 32
  "test/contracts/invariant.test.ts", // 31
  "test/scripts/layers.test.ts", // 27
  "test/web/console-flow.test.ts", // 20
  "test/scripts/build.test.ts", // 16
  "test/scripts/deploy.test.ts", // 16
  "test/e2e/restart.test.ts", // 16
  "test/web/verifier-links.test.ts", // 15
  "test/web/page.test.ts", // 15
  "test/web/verifier.test.ts", // 15
  "test/web/verifier-standard.test.ts", // 15
  "test/e2e/service.test.ts", // 12
  "test/contracts/property.test.ts", // 12
  "test/e2e/spine.test.ts", // 11
  "test/server/instances.test.ts", // 11 on PostgreSQL, 8 on SQLite
  "test/web/certificate.test.ts", // 11
  "test/web/issuers.test.ts", // 10
  "test/server/outbox/outages.test.ts", // 10 and 9
  "test/web/a11y.test.ts", // 10
  "test/security/bundle-fuzz.test.ts", // 9
  "test/security/http-fuzz.test.ts", // 8
  "test/src/merkle.test.ts", // 8
  "test/server/outbox/signer.test.ts", // 8 and 6
];

/**
 * Starts the slowest files first, so that the workers end together instead of one running a long
 * file alone at the end. vitest's own order (files that failed or took longest in the cached last
 * run, else the largest) knows nothing on a fresh clone, where the largest files are not the
 * slowest. The files of {@link SLOWEST_FILES} go first in its order (every project's copy of a
 * file, PostgreSQL's first), then the others in vitest's order.
 */
export class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const index = SLOWEST_FILES.indexOf(relative(spec.project.config.root, spec.moduleId).replaceAll("\\", "/"));
      return index === -1 ? SLOWEST_FILES.length : index;
    };
    const project = (spec: TestSpecification): number => (spec.project.name === "postgres" ? 0 : 1);
    return sorted
      .map((spec, position) => ({ spec, position }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || project(a.spec) - project(b.spec) || a.position - b.position)
      .map(({ spec }) => spec);
  }
}
