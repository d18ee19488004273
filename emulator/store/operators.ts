/**
 * Operators the emulator adds to mingo's, or replaces, where mingo answers differently
 * from MongoDB as CloudBase runs it (see docs/emulator.md "Fidelity").
 */
import { Context } from 'mingo';
import type { JsonSchemaValidator } from 'mingo/types';

export function mingoContext(): Context {
  return Context.init({});
}

export const jsonSchemaValidator: JsonSchemaValidator | undefined = undefined;
