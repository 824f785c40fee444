import type { Clause, Term } from './search';

/** The column each `NAME:value` term compares. */
const EQUALS_COLUMN = {
  message: 'message_id',
  conversation: 'conversation_id',
  session: 'session_id',
  user: 'user_id',
  trace: 'trace_id',
  format: 'format',
} as const;

const PRESENT_COLUMN = {
  comment: 'comment',
  reason: 'reason',
  trace: 'trace_id',
  message: 'message_content',
} as const;

/** `%`, `_` and `\` stand for themselves in a LIKE pattern once escaped (`\` is the escape). */
const literal = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** UTC midnight of a `YYYY-MM-DD`, computed by PostgreSQL so 9999-12-31 stays in range. */
const midnight = (param: string) => `(${param}::date)::timestamp AT TIME ZONE 'UTC'`;

/**
 * One term as a SQL condition on `feedback`; `param` adds a value and returns its `$n`, so no
 * value is ever spliced into the SQL.
 */
function condition(term: Term, actor: string, param: (value: unknown) => string): string {
  switch (term.kind) {
    case 'text': {
      // Each column has its own trigram index; one pattern for all three.
      const pattern = param(`%${literal(term.value)}%`);
      return `(comment ILIKE ${pattern} OR reason ILIKE ${pattern} OR message_content ILIKE ${pattern})`;
    }
    case 'rating':
      return `rating = ${param(term.value)}`;
    case 'status':
      return `status = ${param(term.value)}`;
    case 'assigned':
      return term.to === 'none'
        ? 'assignee IS NULL'
        : `assignee = ${param(term.to === 'me' ? actor : term.to.name)}`;
    case 'reason':
      return `lower(reason_key) = lower(${param(term.key)})`;
    case 'has':
      return `${PRESENT_COLUMN[term.field]} IS NOT NULL`;
    case 'page':
      return term.pattern.includes('*')
        ? `page_url LIKE ${param(term.pattern.split('*').map(literal).join('%'))}`
        : `page_url = ${param(term.pattern)}`;
    case 'equals':
      return term.field === 'locale'
        ? `lower(locale) = lower(${param(term.value)})`
        : `${EQUALS_COLUMN[term.field]} = ${param(term.value)}`;
    case 'score': {
      const bounds: string[] = [];
      if (term.min)
        bounds.push(`score ${term.min.inclusive ? '>=' : '>'} ${param(term.min.value)}`);
      if (term.max)
        bounds.push(`score ${term.max.inclusive ? '<=' : '<'} ${param(term.max.value)}`);
      return bounds.join(' AND ');
    }
    case 'after':
      return `created_at >= ${midnight(param(term.day))}`;
    case 'before':
      return `created_at < ${midnight(param(term.day))}`;
  }
}

/**
 * The parsed search as SQL conditions on `feedback`, every one of which must hold; its values go
 * into `params` (which may already hold others), referred to by `$n`. `actor` is who
 * `assigned:me` means. A negated term also keeps the records where its field is absent.
 */
export function searchConditions(clauses: Clause[], actor: string, params: unknown[]): string[] {
  const param = (value: unknown) => `$${params.push(value)}`;
  return clauses.map(({ term, negated }) => {
    const sql = condition(term, actor, param);
    return negated ? `NOT coalesce(${sql}, false)` : sql;
  });
}
