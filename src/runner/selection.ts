// Which scenarios a run means, as the CLI resolved them: what the suite plans and cucumber runs.
export interface Selection {
  /** Feature URIs in messages and reports are relative to this folder. */
  cwd: string;
  paths: string[];
  /** Step definitions and support code: the shipped ones, then the team's. */
  supportImports: string[];
  tags: string;
  names: string[];
  /** "i/n", 1-based. */
  shard: string | undefined;
}
