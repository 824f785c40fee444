/**
 * A random v4 UUID. `crypto.randomUUID` exists only on secure origins; a blob URL ends in a
 * random UUID on every origin (File API), and costs fewer bytes than formatting one by hand.
 */
export function uuid(): string {
  const url = URL.createObjectURL(new Blob());
  URL.revokeObjectURL(url);
  return url.slice(-36);
}
