import { invalid } from '../intake/validate';

function decoded(text: string, field: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw invalid(field, 'must be percent-encoded UTF-8');
  }
}

/**
 * A URL's query parameters, read as `URLSearchParams` reads them except that a name or value
 * that is not percent-encoded UTF-8 (`%ZZ`, `%FF`) answers 400 naming the parameter (`query`
 * when its own name is at fault): `URLSearchParams` would keep `%ZZ` as it is and turn `%FF`
 * into U+FFFD, filtering by what nobody sent.
 */
export function queryOf(url: string): URLSearchParams {
  const query = new URLSearchParams();
  const search = new URL(url).search.slice(1);
  if (search === '') return query;
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decoded(equals === -1 ? pair : pair.slice(0, equals), 'query');
    query.append(name, equals === -1 ? '' : decoded(pair.slice(equals + 1), name));
  }
  return query;
}
