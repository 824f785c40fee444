// The page's address is a view (SPEC §12): `?q=` a search, `?id=` a record, `?view=` the
// attention ranking or the figures, `?page=` the list's page past the first. Parsed and
// written here, with no state of its own.

export type View = 'inbox' | 'attention' | 'figures';
export const VIEWS: readonly View[] = ['inbox', 'attention', 'figures'];

export interface Address {
  view: View;
  q: string;
  id?: string;
  /** The list's page, from 1; absent for the first. */
  page?: number;
}

/**
 * The page a `page=` asks for, the nearest whole one: below 1 or not a number is the first, a
 * fraction the page it lies in. One past the end is the list's to correct (state.ts).
 */
function pageOf(text: string | null): number {
  const number = Number(text);
  if (Number.isNaN(number) || number < 1) return 1;
  return Math.floor(Math.min(number, Number.MAX_SAFE_INTEGER));
}

export function readAddress(search: string): Address {
  const params = new URLSearchParams(search);
  const view = VIEWS.find((name) => name === params.get('view')) ?? 'inbox';
  const id = params.get('id');
  const page = pageOf(params.get('page'));
  return { view, q: params.get('q') ?? '', ...(id ? { id } : {}), ...(page > 1 ? { page } : {}) };
}

/** The query string of an address, `?…`, or '' for the plain inbox. */
export function writeAddress(address: Address): string {
  const params = new URLSearchParams();
  if (address.view !== 'inbox') params.set('view', address.view);
  if (address.q !== '') params.set('q', address.q);
  if (address.page !== undefined && address.page > 1) params.set('page', String(address.page));
  if (address.id !== undefined) params.set('id', address.id);
  const text = params.toString();
  return text ? `?${text}` : '';
}
