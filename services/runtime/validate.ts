// Checks untrusted values (messages, configuration) against TypeBox schemas, naming every problem.
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

export function describeErrors(errors: ReadonlyArray<{ instancePath: string; message: string }>): string {
  return errors.map((error) => `${error.instancePath || '(root)'} ${error.message}`).join('; ');
}

/** Returns a function that returns the value typed, or throws naming every field that is wrong. */
export function compileParser<T extends TSchema>(schema: T): (value: unknown) => Static<T> {
  const validator = Compile(schema);
  return (value) => {
    if (validator.Check(value)) return value as Static<T>;
    throw new TypeError(describeErrors(validator.Errors(value)));
  };
}
