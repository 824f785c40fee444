// The page's address is a view (SPEC §12): `?q=` a search, `?id=` a record, `?view=` the
// attention ranking or the figures. Parsed and written here, with no state of its own.

export type View = 'inbox' | 'attention' | 'figures';
export const VIEWS: readonly View[] = ['inbox', 'attention', 'figures'];

export interface Address {
  view: View;
  q: string;
  id?: string;
}

export function readAddress(search: string): Address {
  const params = new URLSearchParams(search);
  const view = VIEWS.find((name) => name === params.get('view')) ?? 'inbox';
  const id = params.get('id');
  return { view, q: params.get('q') ?? '', ...(id ? { id } : {}) };
}

/** The query string of an address, `?…`, or '' for the plain inbox. */
export function writeAddress(address: Address): string {
  const params = new URLSearchParams();
  if (address.view !== 'inbox') params.set('view', address.view);
  if (address.q !== '') params.set('q', address.q);
  if (address.id !== undefined) params.set('id', address.id);
  const text = params.toString();
  return text ? `?${text}` : '';
}
