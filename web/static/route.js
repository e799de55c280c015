// Hash routes of the console: "#/listing/un-sc:QDi.1?x=1".

/** parseHash splits "#/listing/un-sc:QDi.1?x=1" into view, arg and params. */
export function parseHash(hash) {
  const s = (hash || '').replace(/^#\/?/, '');
  const [path, query] = s.split('?');
  const [view, ...rest] = path.split('/');
  return {view: decodeURIComponent(view || ''), arg: decodeURIComponent(rest.join('/')), params: new URLSearchParams(query || '')};
}
