package web_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"tripline/web"
)

func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// TestRegister: the page and its assets are served on a mux beside other
// routes, with the security headers; what is not an asset is 404.
func TestRegister(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/me", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") })
	web.Register(mux)
	cases := []struct {
		path, wantType, wantBody string
		wantStatus               int
	}{
		{"/", "text/html", "<title>Tripline console</title>", 200},
		{"/static/app.js", "text/javascript", "export const VIEWS", 200},
		{"/static/style.css", "text/css", ".decision-hit", 200},
		{"/static/vendor/cytoscape.esm.min.js", "text/javascript", "export{", 200},
		{"/v1/me", "", "api", 200},
		{"/static/", "", "", 404},
		{"/static/nope.js", "", "", 404},
		{"/index.html", "", "", 404},
	}
	for _, c := range cases {
		res, body := get(t, mux, c.path)
		if res.StatusCode != c.wantStatus {
			t.Errorf("GET %s = %d, want %d", c.path, res.StatusCode, c.wantStatus)
			continue
		}
		if c.wantStatus != 200 {
			continue
		}
		if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, c.wantType) {
			t.Errorf("GET %s: Content-Type %q, want %s", c.path, got, c.wantType)
		}
		if !strings.Contains(body, c.wantBody) {
			t.Errorf("GET %s: body lacks %q", c.path, c.wantBody)
		}
		if c.path != "/v1/me" {
			if got := res.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
				t.Errorf("GET %s: CSP %q", c.path, got)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s: X-Content-Type-Options %q", c.path, got)
			}
		}
	}
}

// TestOffline: no asset loads anything from another origin, so the
// console works on a node with no Internet access (the CSP would block it
// anyway; this catches it before a user does).
func TestOffline(t *testing.T) {
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|import\s*(\(|[^;]*from)\s*["'](https?:)?//|url\(\s*["']?(https?:)?//`)
	err := fs.WalkDir(web.Static(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, "vendor/") {
			return err
		}
		b, err := fs.ReadFile(web.Static(), path)
		if err != nil {
			return err
		}
		if m := external.Find(b); m != nil {
			t.Errorf("%s loads from another origin: %s", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVendoredLicense: the bundled graph library ships with its licence.
func TestVendoredLicense(t *testing.T) {
	b, err := fs.ReadFile(web.Static(), "vendor/cytoscape.LICENSE")
	if err != nil || !strings.Contains(string(b), "Permission is hereby granted") {
		t.Fatalf("vendor/cytoscape.LICENSE: %v", err)
	}
}

// TestImportsResolve: every module an asset imports (statically, or as a
// view module the shell loads on demand) and every file index.html links
// is embedded; a typo would otherwise show only in a browser.
func TestImportsResolve(t *testing.T) {
	ref := regexp.MustCompile(`(?:from\s+|import\(\s*|module:\s*)['"](\.{1,2}/[^'"]+|/static/[^'"]+)['"]|(?:src|href)="(/static/[^"]+)"`)
	static := web.Static()
	seen := 0
	err := fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "vendor/") || !(strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".html")) {
			return err
		}
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			target := m[1] + m[2]
			switch {
			case strings.HasPrefix(target, "/static/"):
				target = strings.TrimPrefix(target, "/static/")
			default:
				target = path.Join(path.Dir(p), target)
			}
			if _, err := fs.Stat(static, target); err != nil {
				t.Errorf("%s refers to %s: %v", p, m[0], err)
			}
			seen++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 20 {
		t.Errorf("found %d references: the pattern no longer matches the assets", seen)
	}
}
