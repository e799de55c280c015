// Package web is Tripline's console: the page border officers, analysts
// and auditors use in a browser. Its assets (plain HTML, CSS and ES
// modules, and a vendored graph-drawing library) are embedded in the
// binary, so the console is served by `tripline serve` itself and works
// offline, with no CDN and no build step.
//
// The console holds no data of its own: it calls the HTTP API with the
// session cookie, and the API's policy layer decides what each role sees.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var static embed.FS

// Static returns the console's assets, rooted at the static directory
// (index.html, app.js, vendor/...).
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/: a build without it fails here at once
	}
	return sub
}

// ContentSecurityPolicy keeps the page to its own origin: scripts, styles,
// images and API calls come from the server that served it, nothing is
// framed, nothing is fetched from a third party, and no inline script or
// style runs (the page sets styles only through the CSSOM).
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// Mux is what Register needs of a server: httpapi.Server and
// http.ServeMux both have it.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Register serves the console on m: the page at GET / and its assets under
// GET /static/. API routes registered on m keep precedence, being more
// specific patterns.
func Register(m Mux) {
	h := Handler()
	m.Handle("GET /{$}", h)
	m.Handle("GET /static/", h)
}

// Handler serves index.html at / and the assets under /static/, with
// security headers on every response. Unknown paths get 404.
func Handler() http.Handler {
	assets := Static()
	files := http.StripPrefix("/static/", http.FileServerFS(assets))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", ContentSecurityPolicy)
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "no-referrer")
		hdr.Set("X-Frame-Options", "DENY")
		// Assets carry no content hash in their names: revalidate each
		// time so an upgraded binary is never mixed with stale modules.
		hdr.Set("Cache-Control", "no-cache")
		switch {
		case r.URL.Path == "/":
			http.ServeFileFS(w, r, assets, "index.html")
		case strings.HasPrefix(r.URL.Path, "/static/"):
			if strings.HasSuffix(r.URL.Path, "/") {
				http.NotFound(w, r) // no directory listings
				return
			}
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
