/** snake_case to camelCase, for the names of error descriptors (`conversation_closed` → `conversationClosed`). */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** One kind of error: its stable code (clients switch on it) and the HTTP status it always answers with. */
export interface ErrorDescriptor<Code extends string = string> {
  readonly code: Code;
  readonly status: number;
}

export type ErrorDescriptors<Table extends Record<string, number>> = {
  readonly [Code in keyof Table & string as CamelCase<Code>]: ErrorDescriptor<Code>;
};

/** Every code defined so far, with its status: one code answers with one status across the desk. */
const defined = new Map<string, number>();

/**
 * A library's errors, each code with its HTTP status in one place:
 * `defineErrors({ conversation_closed: 409 })` gives `{ conversationClosed: { code: 'conversation_closed', status: 409 } }`.
 * A code defined again elsewhere must keep its status (clients switch on codes, not on who throws them).
 */
export function defineErrors<const Table extends Record<string, number>>(table: Table): ErrorDescriptors<Table> {
  const descriptors: Record<string, ErrorDescriptor> = {};
  for (const [code, status] of Object.entries(table)) {
    if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(code)) throw new Error(`Error code "${code}" is not snake_case`);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new Error(`Error code "${code}" needs a 4xx or 5xx status, not ${status}`);
    }
    const earlier = defined.get(code);
    if (earlier !== undefined && earlier !== status) {
      throw new Error(`Error code "${code}" is defined with status ${earlier} already, not ${status}`);
    }
    defined.set(code, status);
    const name = code.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    descriptors[name] = Object.freeze({ code, status });
  }
  return Object.freeze(descriptors) as ErrorDescriptors<Table>;
}
