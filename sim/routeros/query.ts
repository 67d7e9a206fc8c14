// Query words of `print` (reference §2.6): a stack machine whose initial stack is infinitely many
// `true`; an item matches when no `false` remains on the stack.

export type Row = Record<string, string>;

/** Compares a printed value with a query value; lets the menu treat booleans, times and MACs as equal in any spelling. */
export type ValueEquality = (prop: string, rowValue: string, queryValue: string) => boolean;

export class QueryError extends Error {}

type Op =
  | { kind: "has"; prop: string; negate: boolean }
  | { kind: "cmp"; prop: string; op: "=" | "<" | ">"; value: string }
  | { kind: "ops"; ops: string };

export function parseQuery(words: readonly string[]): Op[] {
  return words.map((word): Op => {
    const body = word.slice(1);
    if (body.startsWith("#")) {
      if (!/^[!&|.0-9]*$/.test(body.slice(1))) throw new QueryError("unknown query operation");
      return { kind: "ops", ops: body.slice(1) };
    }
    const op = body[0];
    if (op === "=" || op === "<" || op === ">") {
      const rest = body.slice(1);
      const eq = rest.indexOf("=");
      if (eq <= 0) throw new QueryError("invalid query word");
      return { kind: "cmp", op, prop: rest.slice(0, eq), value: rest.slice(eq + 1) };
    }
    if (op === "-") return { kind: "has", prop: body.slice(1), negate: true };
    const eq = body.indexOf("=");
    if (eq === -1) return { kind: "has", prop: body, negate: false };
    if (eq === 0) throw new QueryError("invalid query word");
    return { kind: "cmp", op: "=", prop: body.slice(0, eq), value: body.slice(eq + 1) };
  });
}

export function matchesQuery(row: Row, ops: readonly Op[], equal: ValueEquality): boolean {
  // Values beyond the bottom of the array are the implicit `true`s.
  let stack: boolean[] = [];
  const pop = () => (stack.length > 0 ? (stack.pop() as boolean) : true);
  const top = () => (stack.length > 0 ? (stack[stack.length - 1] as boolean) : true);
  const at = (index: number) => (index < stack.length ? (stack[stack.length - 1 - index] as boolean) : true);

  for (const op of ops) {
    if (op.kind === "has") {
      const present = row[op.prop] !== undefined && row[op.prop] !== "";
      stack.push(op.negate ? !present : present);
    } else if (op.kind === "cmp") {
      stack.push(compare(row[op.prop], op, equal));
    } else {
      const ops = op.ops;
      for (let i = 0; i < ops.length; ) {
        const digits = /^\d+/.exec(ops.slice(i));
        if (digits) {
          const value = at(Number(digits[0]));
          i += digits[0].length;
          // An index at the end of the word replaces the whole stack with that value.
          if (i >= ops.length) stack = [value];
          else stack.push(value);
          continue;
        }
        const c = ops[i++];
        if (c === "!") stack.push(!pop());
        else if (c === "&") {
          const a = pop();
          const b = pop();
          stack.push(a && b);
        } else if (c === "|") {
          const a = pop();
          const b = pop();
          stack.push(a || b);
        } else if (c === ".") stack.push(top());
      }
    }
  }
  return stack.every(Boolean);
}

function compare(rowValue: string | undefined, op: { prop: string; op: "=" | "<" | ">"; value: string }, equal: ValueEquality): boolean {
  if (op.op === "=") {
    if (rowValue === undefined) return op.value === "";
    return equal(op.prop, rowValue, op.value);
  }
  if (rowValue === undefined) return false;
  const a = Number(rowValue);
  const b = Number(op.value);
  const numeric = rowValue !== "" && op.value !== "" && Number.isFinite(a) && Number.isFinite(b);
  if (numeric) return op.op === "<" ? a < b : a > b;
  return op.op === "<" ? rowValue < op.value : rowValue > op.value;
}
