package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/sciswift/sciswift/server/swift"
)

// swiftVersion is the Swift release whose API the proxy implements.
const swiftVersion = "2.30.0"

// policyInfo is one storage policy as /info lists it.
type policyInfo struct {
	Name    string `json:"name"`
	Aliases string `json:"aliases"`
	Default bool   `json:"default"`
}

// limitsInfo is swift.Limits under its own name, so that it can be
// embedded and its fields flatten into the "swift" section.
type limitsInfo swift.Limits

// swiftInfo is /info's "swift" section: the constraints (Limits) and what
// Swift 2.30's proxy registers next to them.
type swiftInfo struct {
	limitsInfo
	Version                string       `json:"version"`
	ValidAPIVersions       []string     `json:"valid_api_versions"`
	AccountAutocreate      bool         `json:"account_autocreate"`
	AllowAccountManagement bool         `json:"allow_account_management"`
	StrictCORSMode         bool         `json:"strict_cors_mode"`
	Policies               []policyInfo `json:"policies"`
}

// buildInfo renders /info once: it cannot change while the server runs.
// Only what is enabled appears, so clients can probe features by section.
func buildInfo(cfg Config) ([]byte, error) {
	sections := map[string]any{
		"swift": swiftInfo{
			limitsInfo:             limitsInfo(cfg.Limits),
			Version:                swiftVersion,
			ValidAPIVersions:       []string{"v1", "v1.0"},
			AccountAutocreate:      cfg.AccountAutocreate,
			AllowAccountManagement: false,
			StrictCORSMode:         true,
			Policies:               []policyInfo{{Name: "Policy-0", Aliases: "Policy-0", Default: true}},
		},
		"tempauth": map[string]bool{"account_acls": true},
	}
	for name, section := range cfg.Features {
		if _, taken := sections[name]; taken {
			return nil, fmt.Errorf("proxy: /info section %q is the proxy's own", name)
		}
		sections[name] = section
	}
	b, err := json.Marshal(sections)
	if err != nil {
		return nil, fmt.Errorf("proxy: /info: %w", err)
	}
	return b, nil
}

// serveInfo is Swift's InfoController: GET and HEAD give the JSON, OPTIONS
// the allowed methods.
func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request) {
	const allow = "GET, HEAD, OPTIONS"
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(s.info)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(s.info)
		}
	case http.MethodOptions:
		w.Header().Set("Allow", allow)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	default:
		w.Header().Set("Allow", allow)
		s.fail(w, r, "", swift.ErrMethodNotAllowed)
	}
}
