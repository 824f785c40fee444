/** Drops absent fields, so they are left out (of the wire format, of texts) rather than null. */
export function prune(record: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
