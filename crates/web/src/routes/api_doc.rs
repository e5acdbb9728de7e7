//! The OpenAPI 3.1 document of `/api/v1`, written to match the handlers in `api.rs`.

use footprint_domain::organisation::OrgKind;
use serde_json::{Value, json};

/// The document.
pub fn document() -> Value {
    let kinds: Vec<&str> = OrgKind::ALL.iter().map(|k| k.key()).collect();
    let trusts: Vec<&str> = OrgKind::ALL.iter().filter(|k| k.is_trust()).map(|k| k.key()).collect();
    // Ids are positive 64-bit integers; any other value names nothing (404).
    let id = json!({"type": "integer", "minimum": 1, "maximum": i64::MAX});
    let error = json!({"$ref": "#/components/schemas/Error"});
    let err = |d: &str| json!({"description": d, "content": {"application/json": {"schema": error}}});
    let code = json!({"name": "code", "in": "path", "required": true, "schema": {"type": "string"}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Footprint API",
            "version": "1",
            "description": "Footprints, their partner organisations and the organisation directory. Reads are public; changes need an API token (Authorization: Bearer) or a browser session with the X-CSRF-Token header."
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message", "fields"], "properties": {
                    "error": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}},
                "Decision": {"type": "object", "required": ["id", "decided_on", "body", "confidential", "supersedes_id", "superseded_by", "href"], "properties": {
                    "id": {"type": "integer"}, "decided_on": {"type": "string", "format": "date"}, "body": {"type": "string"},
                    "confidential": {"type": "boolean"}, "title": {"type": "string"},
                    "outcome": {"type": "string", "enum": ["Carried", "Not carried", "Blocked", "No quorum", "Required consent missing"]},
                    "reasons": {"type": "array", "items": {"type": "string"}}, "agreed": {"type": "array", "items": {"type": "string"}},
                    "dissented": {"type": "array", "items": {"type": "object", "required": ["organisation", "reason"],
                        "properties": {"organisation": {"type": "string"}, "reason": {"type": "string"}}}},
                    "abstained": {"type": "array", "items": {"type": "string"}},
                    "supersedes_id": {"type": ["integer", "null"]}, "superseded_by": {"type": ["integer", "null"]}, "href": {"type": "string"}}},
                "Footprint": {"type": "object", "required": ["id", "code", "name", "region", "reference", "demo"], "properties": {
                    "id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"},
                    "region": {"type": "string"}, "reference": {"type": "boolean"}, "demo": {"type": "boolean"}}},
                "FootprintSummary": {"allOf": [{"$ref": "#/components/schemas/Footprint"},
                    {"type": "object", "required": ["partners"], "properties": {"partners": {"type": "integer"}}}]},
                "Organisation": {"type": "object", "required": ["id", "name", "kind", "foundation_trust", "ods_code", "version"], "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": kinds},
                    "foundation_trust": {"type": "boolean"}, "ods_code": {"type": ["string", "null"]}, "version": {"type": "integer"}}},
                "Partner": {"type": "object", "required": ["organisation", "also_in"], "properties": {
                    "organisation": {"$ref": "#/components/schemas/Organisation"},
                    "also_in": {"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}}}},
                "NewOrganisation": {"type": "object", "required": ["name", "kind"], "properties": {
                    "name": {"type": "string", "maxLength": 160, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$",
                        "description": "One line, up to 160 characters; unique among organisations (409 if taken)"},
                    "kind": {"type": "string", "enum": kinds},
                    "foundation_trust": {"type": "boolean", "description": "Only an NHS trust can be a foundation trust"},
                    "ods_code": {"type": ["string", "null"], "pattern": "^[ \\t]*([A-Za-z0-9]{3,6})?[ \\t]*$",
                        "description": "The ODS code: 3 to 6 letters and digits, or empty; unique (409 if taken)"}},
                    "if": {"properties": {"foundation_trust": {"const": true}}, "required": ["foundation_trust"]},
                    "then": {"properties": {"kind": {"enum": trusts}}}},
                "NewPartner": {"type": "object", "required": ["organisation_id"], "properties": {"organisation_id": id}}
            }
        },
        "paths": {
            "/footprints": {"get": {"summary": "Every footprint", "responses": {"200": {"description": "The footprints",
                "content": {"application/json": {"schema": {"type": "object", "required": ["footprints"], "properties": {
                    "footprints": {"type": "array", "items": {"$ref": "#/components/schemas/FootprintSummary"}}}}}}}}}},
            "/footprints/{code}": {"get": {"summary": "A footprint and its partners", "parameters": [code],
                "responses": {"200": {"description": "The footprint", "content": {"application/json": {"schema": {"type": "object",
                    "required": ["footprint", "partners"], "properties": {"footprint": {"$ref": "#/components/schemas/Footprint"},
                    "partners": {"type": "array", "items": {"$ref": "#/components/schemas/Partner"}}}}}}}, "404": err("No such footprint")}}},
            "/footprints/{code}/partners": {
                "get": {"summary": "A footprint's partners", "parameters": [code], "responses": {
                    "200": {"description": "The partners", "content": {"application/json": {"schema": {"type": "object", "required": ["partners"],
                        "properties": {"partners": {"type": "array", "items": {"$ref": "#/components/schemas/Partner"}}}}}}},
                    "404": err("No such footprint")}},
                "post": {"summary": "Add a partner organisation", "security": [{"token": []}], "parameters": [code],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPartner"}}}},
                    "responses": {"201": {"description": "Added; the partners now", "content": {"application/json": {"schema": {"type": "object",
                        "required": ["partners"], "properties": {"partners": {"type": "array", "items": {"$ref": "#/components/schemas/Partner"}}}}}},
                        "links": {"RemovePartner": {"operationId": "removePartner", "parameters": {
                            "code": "$request.path.code", "organisation_id": "$request.body#/organisation_id"}}}},
                        "401": err("Sign in needed or token not accepted"), "403": err("Not allowed"),
                        "404": err("No such footprint, or no organisation with that id"),
                        "409": err("Already a partner"), "422": err("Invalid input")}}},
            "/footprints/{code}/partners/{organisation_id}": {"delete": {"operationId": "removePartner",
                "summary": "Remove a partner organisation", "security": [{"token": []}],
                "parameters": [code, {"name": "organisation_id", "in": "path", "required": true, "schema": id}],
                "responses": {"204": {"description": "Removed"}, "401": err("Sign in needed or token not accepted"),
                    "403": err("Not allowed"), "404": err("No such footprint or partner")}}},
            "/footprints/{code}/decisions": {"get": {"summary": "A footprint's decision register, newest first (a confidential decision gives only its date, body and links unless the caller may read it)",
                "parameters": [code], "responses": {"200": {"description": "The decisions", "content": {"application/json": {"schema": {"type": "object",
                    "required": ["decisions"], "properties": {"decisions": {"type": "array", "items": {"$ref": "#/components/schemas/Decision"}}}}}}},
                    "404": err("No such footprint")}}},
            "/organisations": {
                "get": {"summary": "Every organisation", "responses": {"200": {"description": "The organisations", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["organisations"], "properties": {
                        "organisations": {"type": "array", "items": {"$ref": "#/components/schemas/Organisation"}}}}}}}}},
                "post": {"summary": "Add an organisation", "security": [{"token": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewOrganisation"}}}},
                    "responses": {"201": {"description": "Added", "content": {"application/json": {"schema": {"type": "object", "required": ["organisation"],
                        "properties": {"organisation": {"$ref": "#/components/schemas/Organisation"}}}}}},
                        "401": err("Sign in needed or token not accepted"), "403": err("Not allowed"),
                        "409": err("Name or ODS code taken"), "422": err("Invalid input")}}},
            "/organisations/{id}": {"get": {"summary": "An organisation and its footprints",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": id}],
                "responses": {"200": {"description": "The organisation", "content": {"application/json": {"schema": {"type": "object",
                    "required": ["organisation", "footprints"], "properties": {"organisation": {"$ref": "#/components/schemas/Organisation"},
                    "footprints": {"type": "array", "items": {"type": "object", "required": ["code", "name"],
                        "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}}}}}}}, "404": err("No such organisation")}}}
        }
    })
}
