package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"time"

	"tripline"
	"tripline/blind"
	"tripline/federation"
	"tripline/screening"
)

// schemaTypes names the Go types behind the schemas the route table refers
// to; their JSON Schemas are derived by reflection from the json tags.
var schemaTypes = map[string]reflect.Type{
	"Status":          reflect.TypeOf(map[string]string{}),
	"Listing":         reflect.TypeOf(tripline.Listing{}),
	"ListingPage":     reflect.TypeOf(ListingPage{}),
	"Withdrawal":      reflect.TypeOf(Withdrawal{}),
	"ScreenRequest":   reflect.TypeOf(ScreenRequest{}),
	"ScreenResponse":  reflect.TypeOf(ScreenResponse{}),
	"EventPage":       reflect.TypeOf(EventPage{}),
	"Manifest":        reflect.TypeOf(screening.Manifest{}),
	"Encounter":       reflect.TypeOf(tripline.Encounter{}),
	"EncounterPage":   reflect.TypeOf(EncounterPage{}),
	"Resolution":      reflect.TypeOf(tripline.Resolution{}),
	"Resolved":        reflect.TypeOf(Resolved{}),
	"ClearanceStep":   reflect.TypeOf(ClearanceStep{}),
	"DocumentAlert":   reflect.TypeOf(tripline.DocumentAlert{}),
	"AlertPage":       reflect.TypeOf(AlertPage{}),
	"Login":           reflect.TypeOf(Login{}),
	"Identity":        reflect.TypeOf(tripline.Identity{}),
	"NewUser":         reflect.TypeOf(NewUser{}),
	"IssuedToken":     reflect.TypeOf(IssuedToken{}),
	"TokenRevocation": reflect.TypeOf(TokenRevocation{}),
	"AuditPage":       reflect.TypeOf(AuditPage{}),
	"Verification":    reflect.TypeOf(Verification{}),
	"AuditCheckpoint": reflect.TypeOf(tripline.AuditCheckpoint{}),
	"ConsentPage":     reflect.TypeOf(ConsentPage{}),
	"ConsentRequest":  reflect.TypeOf(ConsentRequest{}),
	"ConsentDecision": reflect.TypeOf(ConsentDecision{}),
	"Consent":         reflect.TypeOf(tripline.Consent{}),
	"Confirmation":    reflect.TypeOf(Confirmation{}),
	"NodeInfo":        reflect.TypeOf(federation.NodeInfo{}),
	"FeedPage":        reflect.TypeOf(federation.FeedPage{}),
	"SignedReport":    reflect.TypeOf(federation.SignedReport{}),
	"ReportReceipt":   reflect.TypeOf(federation.ReportReceipt{}),
	"ReportAck":       reflect.TypeOf(federation.ReportAck{}),
	"ReportPage":      reflect.TypeOf(ReportPage{}),
	"WitnessedPage":   reflect.TypeOf(WitnessedPage{}),
	"FeedPages":       reflect.TypeOf(federation.FeedPages{}),
	"Partner":         reflect.TypeOf(tripline.Partner{}),
	"PartnerPage":     reflect.TypeOf(PartnerPage{}),
	"PartnerKey":      reflect.TypeOf(PartnerKey{}),
	"ManifestResult":  reflect.TypeOf(screening.ManifestResult{}),
	"BlindEvaluation": reflect.TypeOf(blind.EvaluateRequest{}),
	"BlindEvaluated":  reflect.TypeOf(blind.EvaluateResponse{}),
	// Network analysis (network.go).
	"Subgraph":          reflect.TypeOf(Subgraph{}),
	"NetworkPath":       reflect.TypeOf(NetworkPath{}),
	"NetworkComponents": reflect.TypeOf(NetworkComponents{}),
	"Facilitators":      reflect.TypeOf(Facilitators{}),
	"Communities":       reflect.TypeOf(Communities{}),
	"CoTravel":          reflect.TypeOf(CoTravel{}),
	"LinkInput":         reflect.TypeOf(LinkInput{}),
	"LinkInputResult":   reflect.TypeOf(LinkInputResult{}),
	"NetworkImport":     reflect.TypeOf(NetworkImport{}),
	// Tips (tips.go).
	"TipIntake":       reflect.TypeOf(TipIntake{}),
	"Tip":             reflect.TypeOf(tripline.Tip{}),
	"TipPage":         reflect.TypeOf(TipPage{}),
	"TipConfirmation": reflect.TypeOf(TipConfirmation{}),
	"TipRejection":    reflect.TypeOf(TipRejection{}),
	// Diffusions (diffusions.go).
	"DiffusionRequest": reflect.TypeOf(DiffusionRequest{}),
	"Diffusion":        reflect.TypeOf(tripline.Diffusion{}),
	"DiffusionPage":    reflect.TypeOf(DiffusionPage{}),
	"Error": reflect.TypeOf(struct {
		Error tripline.ErrBody `json:"error"`
	}{}),
}

// OpenAPI returns the OpenAPI 3.1 document for the server's routes.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, r := range s.routes() {
		op := map[string]any{"summary": r.Summary, "operationId": operationID(r)}
		// Who may call it, machine-readable (x-roles) and for a reader.
		if r.Public {
			op["x-roles"] = []string{}
			op["description"] = "Public: no token needed."
		} else {
			roles := make([]string, len(r.Roles))
			for i, role := range r.Roles {
				roles[i] = string(role)
			}
			op["x-roles"] = roles
			op["description"] = "Roles: " + strings.Join(roles, ", ") + ". Needs Authorization: Bearer <token> or a console session."
		}
		var params []map[string]any
		for _, seg := range strings.Split(r.Pattern, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
		}
		for _, q := range r.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": q.Type}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Request != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": ref(r.Request)}}}
		}
		if r.RequestType != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				r.RequestType: map[string]any{"schema": map[string]any{"type": "string"}}}}
		}
		ok := map[string]any{"description": "OK"}
		if r.Response != "" {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(r.Response)}}
		}
		errResp := map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
		op["responses"] = map[string]any{"200": ok, "default": errResp}
		if paths[r.Pattern] == nil {
			paths[r.Pattern] = map[string]any{}
		}
		paths[r.Pattern][strings.ToLower(r.Method)] = op
	}
	schemas := map[string]any{}
	for name, t := range schemaTypes {
		schemas[name] = schemaOf(t, 0)
	}
	return map[string]any{
		"openapi":    "3.1.0",
		"info":       map[string]any{"title": "Tripline API", "version": "1"},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas},
	}
}

func operationID(r route) string {
	id := strings.ToLower(r.Method)
	for _, seg := range strings.Split(r.Pattern, "/") {
		seg = strings.Trim(seg, "{}.")
		if seg == "" || seg == "v1" {
			continue
		}
		id += strings.ToUpper(seg[:1]) + strings.ReplaceAll(seg[1:], ".", "")
	}
	return id
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

var (
	timeType        = reflect.TypeOf(time.Time{})
	partialDateType = reflect.TypeOf(tripline.PartialDate{})
	rawType         = reflect.TypeOf(json.RawMessage{})
)

// schemaOf derives a JSON Schema from a Go type's json tags.
func schemaOf(t reflect.Type, depth int) map[string]any {
	if depth > 8 {
		return map[string]any{}
	}
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case partialDateType:
		return map[string]any{"type": "string", "description": "YYYY, YYYY-MM or YYYY-MM-DD"}
	case rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), depth)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), depth+1)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), depth+1)}
	case reflect.Struct:
		props := map[string]any{}
		addFields(t, props, depth)
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}

func addFields(t reflect.Type, props map[string]any, depth int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			addFields(ft, props, depth)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type, depth+1)
	}
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.OpenAPI())
}
