// Every HTTP answer a scenario's drivers get, checked against the OpenAPI document of the component that
// gave it (rule answer-contract), as it comes: the drivers are handed an observer per component.
import type { JsonObject } from '../../src/config/contracts.ts';
import { type AnswerChecker, answerChecker } from '../../src/contracts/answer-checks.ts';
import type { Violation } from '../../src/contracts/violations.ts';
import type { AnswerObserver } from '../../src/drivers/http-client.ts';

/** One scenario's checks: an observer per component for its drivers, and what they found. */
export class ScenarioAnswers {
  private readonly documents: Readonly<Record<string, JsonObject>>;
  private readonly mask: (text: string) => string;
  private readonly checkers = new Map<string, AnswerChecker | undefined>();
  /** By where and problem: each kept once, with how many answers showed it. */
  private readonly found = new Map<string, { violation: Violation; answers: number }>();

  constructor(documents: Readonly<Record<string, JsonObject>>, mask: (text: string) => string) {
    this.documents = documents;
    this.mask = mask;
  }

  /** What a driver speaking to `component` shows each answer to; a component without a document is not checked. */
  observerOf(component: string): AnswerObserver {
    return (request, answer) => {
      for (const violation of this.checkerOf(component)?.(request, answer) ?? []) this.record(violation);
    };
  }

  /**
   * Each violation once, its evidence the first answer that showed it: a step that polls until the
   * state it waits for would otherwise repeat one problem in every answer it got.
   */
  violations(): Violation[] {
    return [...this.found.values()].map(({ violation, answers }) =>
      answers > 1
        ? { ...violation, evidence: `${violation.evidence} (and ${answers - 1} more answers alike)` }
        : violation,
    );
  }

  private checkerOf(component: string): AnswerChecker | undefined {
    if (!this.checkers.has(component)) {
      const document = Object.hasOwn(this.documents, component) ? this.documents[component] : undefined;
      this.checkers.set(component, document && answerChecker(component, document, { mask: this.mask }));
    }
    return this.checkers.get(component);
  }

  private record(violation: Violation): void {
    const key = `${violation.where}\n${violation.problem}`;
    const known = this.found.get(key);
    if (known) known.answers += 1;
    else this.found.set(key, { violation, answers: 1 });
  }
}
