// The Allure 2 results format (what `allure generate` reads), as far as this project writes it.
//
// allure-js-commons has model types, but its Status has no "unknown" and its StatusDetails no
// "flaky"; both are part of the format Allure 2 reads, and both are needed to tell the truth.

export type AllureStatus = 'passed' | 'failed' | 'broken' | 'skipped' | 'unknown';

export type AllureStage = 'scheduled' | 'running' | 'finished' | 'pending' | 'interrupted';

export type AllureStatusDetails = {
  message?: string;
  trace?: string;
  /** Read by Allure 3 and TestOps; Allure 2 recomputes it from the retries that share a historyId. */
  flaky?: boolean;
};

export type AllureLabel = { name: string; value: string };

export type AllureParameter = { name: string; value: string };

export type AllureAttachment = { name: string; type: string; source: string; size?: number };

export type AllureStep = {
  name: string;
  status: AllureStatus;
  statusDetails: AllureStatusDetails;
  stage: AllureStage;
  start?: number;
  stop?: number;
  steps: AllureStep[];
  attachments: AllureAttachment[];
  parameters: AllureParameter[];
};

/** Written as `<uuid>-result.json`. */
export type AllureResult = AllureStep & {
  uuid: string;
  /** Results sharing it are one test: the latest by start time is shown, the rest are its retries. */
  historyId: string;
  testCaseId: string;
  fullName: string;
  description?: string;
  labels: AllureLabel[];
  links: never[];
};

/** One entry of `categories.json`; a result matching none falls into Product/Test defects. */
export type AllureCategory = {
  name: string;
  description?: string;
  matchedStatuses?: AllureStatus[];
  /** Java regex, matched against the whole message. */
  messageRegex?: string;
  /** Must equal the result's own flaky flag for it to match: absent means only non-flaky results. */
  flaky?: boolean;
};

/** `executor.json`: names the run in the report's header and Executors widget. */
export type AllureExecutor = {
  name: string;
  type: string;
  buildName: string;
  reportName: string;
  url?: string;
  buildUrl?: string;
};
