/**
 * The URL of one of the guide's routes (`/health`, `/v1/models`, `/metrics`, ...) under the
 * API's base URL. The base's path is a prefix, as when the API sits behind a gateway
 * (`http://host/api` + `/health` is `http://host/api/health`), and a trailing slash is not
 * doubled (`http://host/` + `/health` is `http://host/health`). What is printed is this URL:
 * the one requested.
 */
export function apiEndpoint(apiUrl: string, route: string): URL {
  const u = new URL(apiUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${route}`;
  u.search = '';
  u.hash = '';
  return u;
}
