//! The OpenAPI documents the registers serve: Open Klant 2.18's Klantinteracties 0.9.0 and
//! Contactgegevens documents (kept in `schemas/openklant-2.18/`), cut to the paths the serving
//! registers own, with what this implementation adds (the audit trail, `Idempotency-Key`,
//! `X-Audit-Toelichting`). `schemas/` holds the documents as served; a test fails when they drift.

use reference::{Register, Resource};
use serde_json::{json, Map, Value};

const KLANTINTERACTIES: &str =
    include_str!("../../../schemas/openklant-2.18/klantinteracties.json");
const CONTACTGEGEVENS: &str = include_str!("../../../schemas/openklant-2.18/contactgegevens.json");

/// The register that owns a path of the Klantinteracties document (`/partijen/{uuid}`).
fn owner(path: &str) -> Option<Register> {
    let first = path.trim_start_matches('/').split('/').next()?;
    if first == "maak-klantcontact" {
        return Some(Register::Klantcontacten);
    }
    Resource::from_path(first).map(Resource::register)
}

/// The Klantinteracties document for these registers.
pub fn klantinteracties(registers: &[Register]) -> Value {
    let mut document: Value = serde_json::from_str(KLANTINTERACTIES).unwrap_or(Value::Null);
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        paths.retain(|path, _| owner(path).is_some_and(|r| registers.contains(&r)));
    }
    add_ours(&mut document);
    keep_used_schemas(&mut document);
    document
}

/// Drops the component schemas no kept path refers to, directly or through other schemas.
fn keep_used_schemas(document: &mut Value) {
    fn refs(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    if let Some(name) = target.strip_prefix("#/components/schemas/") {
                        found.push(name.to_owned());
                    }
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut wanted = Vec::new();
    refs(&document["paths"], &mut wanted);
    let schemas = document["components"]["schemas"].clone();
    let mut used = std::collections::BTreeSet::new();
    while let Some(name) = wanted.pop() {
        if used.insert(name.clone()) {
            refs(&schemas[&name], &mut wanted);
        }
    }
    if let Some(Value::Object(schemas)) = document.pointer_mut("/components/schemas") {
        schemas.retain(|name, _| used.contains(name));
    }
}

/// The Contactgegevens document (relatiebeheer's).
pub fn contactgegevens() -> Value {
    let mut document: Value = serde_json::from_str(CONTACTGEGEVENS).unwrap_or(Value::Null);
    add_ours(&mut document);
    document
}

/// The audit trail of every object, and the headers for idempotent creates and reasons.
fn add_ours(document: &mut Value) {
    let Some(root) = document.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(components)) = root.get_mut("components") {
        let parameters = components
            .entry("parameters")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(parameters) = parameters {
            parameters.insert(
                "IdempotencyKey".into(),
                json!({
                    "in": "header",
                    "name": "Idempotency-Key",
                    "required": false,
                    "schema": {"type": "string", "maxLength": 255},
                    "description": "Maakt een POST herhaalbaar: hetzelfde verzoek met dezelfde sleutel (per token, een dag lang) krijgt het eerste antwoord terug in plaats van een tweede object.",
                }),
            );
            parameters.insert(
                "AuditToelichting".into(),
                json!({
                    "in": "header",
                    "name": "X-Audit-Toelichting",
                    "required": false,
                    "schema": {"type": "string", "maxLength": 1000},
                    "description": "De reden van de wijziging, voor de audittrail. Verplicht bij het corrigeren of verwijderen van een klantcontact na de periode waarin het vrij aangevuld mag worden.",
                }),
            );
        }
        if let Some(Value::Object(schemas)) = components.get_mut("schemas") {
            schemas.insert("AuditTrail".into(), audit_trail_schema());
        }
    }
    let Some(Value::Object(paths)) = root.get_mut("paths") else {
        return;
    };
    let details: Vec<String> = paths
        .keys()
        .filter(|p| p.ends_with("/{uuid}"))
        .cloned()
        .collect();
    for item in paths.values_mut() {
        let Value::Object(operations) = item else {
            continue;
        };
        for (method, operation) in operations.iter_mut() {
            let parameter = match method.as_str() {
                "post" => "#/components/parameters/IdempotencyKey",
                "put" | "patch" | "delete" => "#/components/parameters/AuditToelichting",
                _ => continue,
            };
            if let Value::Object(operation) = operation {
                let list = operation
                    .entry("parameters")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    list.push(json!({"$ref": parameter}));
                }
            }
        }
    }
    if paths.contains_key("/betrokkenen/{uuid}") {
        paths.insert("/betrokkenen/{uuid}/partij".into(), gekend_operation());
    }
    for detail in details {
        let resource = detail
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        paths.insert(
            format!("{detail}/audittrail"),
            json!({"get": {
                "operationId": format!("{}Audittrail", resource.replace('-', "")),
                "summary": "De audittrail van een object: elke wijziging, oudste eerst, ook na verwijderen.",
                "parameters": [{"in": "path", "name": "uuid", "required": true, "schema": {"type": "string", "format": "uuid"}}],
                "tags": ["audittrail"],
                "security": [{"tokenAuth": []}],
                "responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/AuditTrail"}}}}},
                    "404": {"description": "Dit object heeft hier nooit bestaan."},
                },
            }}),
        );
    }
}

/// `POST /betrokkenen/{uuid}/partij` (klantcontacten's `gekend` handeling).
fn gekend_operation() -> Value {
    let answer = json!({"description": "", "content": {"application/json": {"schema": {
        "type": "object",
        "properties": {
            "betrokkene": {"$ref": "#/components/schemas/Betrokkene"},
            "partij": {"$ref": "#/components/schemas/Partij"},
        },
    }}}});
    json!({"post": {
        "operationId": "betrokkenePartij",
        "summary": "Een ongekende betrokkene wordt gekend: maakt een partij van wat de betrokkene opgaf (organisatienaam: organisatie; naam en rol klant: persoon; naam en rol vertegenwoordiger: contactpersoon), of koppelt de betrokkene aan de genoemde partij. Met digitaleAdressenHergebruiken (de persoon stemde in met hergebruik) worden de digitale adressen en de adressen van de betrokkene die van de partij.",
        "parameters": [{"in": "path", "name": "uuid", "required": true, "schema": {"type": "string", "format": "uuid"}}],
        "tags": ["betrokkenen"],
        "security": [{"tokenAuth": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
            "type": "object",
            "properties": {
                "partij": {"type": "object", "properties": {"uuid": {"type": "string", "format": "uuid"}}, "required": ["uuid"]},
                "digitaleAdressenHergebruiken": {"type": "boolean", "default": false},
            },
        }}}},
        "responses": {
            "201": answer.clone(),
            "200": answer,
            "400": {"description": "De betrokkene is al gekoppeld, heeft geen naam, of de partij bestaat niet."},
            "403": {"description": "Het token mag dit niet (een partij maken is schrijven in relatiebeheer)."},
            "404": {"description": "De betrokkene bestaat niet."},
        },
    }})
}

fn audit_trail_schema() -> Value {
    let text = json!({"type": "string"});
    json!({
        "type": "object",
        "properties": {
            "uuid": {"type": "string", "format": "uuid"},
            "applicatieId": text, "applicatieWeergave": text,
            "gebruikersId": text, "gebruikersWeergave": text,
            "actie": {"type": "string", "enum": ["create", "update", "partial_update", "destroy"]},
            "actieWeergave": text,
            "resultaat": {"type": "integer"},
            "hoofdObject": {"type": "string", "format": "uri"},
            "resource": text,
            "resourceUrl": {"type": "string", "format": "uri"},
            "toelichting": text,
            "aanmaakdatum": {"type": "string", "format": "date-time"},
            "wijzigingen": {"type": "object", "properties": {
                "oud": {"type": "object", "nullable": true},
                "nieuw": {"type": "object", "nullable": true},
            }},
        },
    })
}

/// A readable page of a document: its operations per path.
pub fn html(document: &Value) -> String {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let title = document["info"]["title"].as_str().unwrap_or("API");
    let version = document["info"]["version"].as_str().unwrap_or("");
    let mut rows = String::new();
    if let Some(paths) = document["paths"].as_object() {
        for (path, item) in paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let summary = operation["summary"]
                    .as_str()
                    .or_else(|| operation["description"].as_str())
                    .unwrap_or_default();
                rows.push_str(&format!(
                    "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>\n",
                    method.to_uppercase(),
                    escape(path),
                    escape(summary)
                ));
            }
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>{title} {version}</title>\
         <style>body{{font-family:sans-serif;margin:2em}}td{{padding:.2em .8em;vertical-align:top}}</style></head>\
         <body><h1>{title} {version}</h1><p>Het volledige document: <a href=\"../openapi.yaml\">openapi.yaml</a>, \
         <a href=\"../openapi.json\">openapi.json</a>.</p><table>\n{rows}</table></body></html>\n",
        title = escape(title),
        version = escape(version),
    )
}

/// The document as served: the path under the API, its content type (the reference's, from
/// its OpenAPI renderers) and the body.
pub fn renderings(document: &Value) -> Vec<(&'static str, &'static str, String)> {
    // A JSON value always has a YAML form; should that ever fail, JSON is YAML too.
    let yaml = serde_norway::to_string(document).unwrap_or_else(|_| document.to_string());
    vec![
        (
            "/openapi.json",
            "application/vnd.oai.openapi+json",
            document.to_string(),
        ),
        ("/openapi.yaml", "application/vnd.oai.openapi", yaml),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `schemas/` holds what is served; regenerate with `make schemas` after a change.
    #[test]
    fn the_served_documents_are_the_ones_in_schemas() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas/");
        let cases = [
            ("klantinteracties.json", klantinteracties(&Register::ALL)),
            (
                "relatiebeheer.json",
                klantinteracties(&[Register::Relatiebeheer]),
            ),
            (
                "klantcontacten.json",
                klantinteracties(&[Register::Klantcontacten]),
            ),
            ("klanttaak.json", klantinteracties(&[Register::Klanttaak])),
            ("contactgegevens.json", contactgegevens()),
        ];
        for (file, served) in cases {
            let kept: Value = serde_json::from_str(
                &std::fs::read_to_string(format!("{root}{file}"))
                    .unwrap_or_else(|e| panic!("schemas/{file}: {e}")),
            )
            .unwrap();
            assert!(
                kept == served,
                "schemas/{file} differs from the served document; run make schemas"
            );
        }
    }

    #[test]
    fn a_register_owns_its_paths_and_gets_an_audit_trail_per_object() {
        let document = klantinteracties(&[Register::Klanttaak]);
        let paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
        assert_eq!(
            paths,
            [
                "/internetaken",
                "/internetaken/{uuid}",
                "/internetaken/{uuid}/audittrail"
            ]
        );
        let all = klantinteracties(&Register::ALL);
        assert!(all["paths"]["/maak-klantcontact"]["post"].is_object());
        assert!(all["paths"]["/partijen/{uuid}/audittrail"]["get"].is_object());
        assert!(html(&all).contains("/partijen/{uuid}/audittrail"));
    }
}
