//! `GET /api/docs`: a self-contained HTML page (no scripts, no external assets) listing
//! every operation of the generated OpenAPI document (method, path, summary, parameters,
//! request and response schemas), the error codes (anchors `#problem-<code>`, the targets of
//! problem `type` URIs) and every schema.

use std::fmt::Write;

use serde_json::Value;

use crate::error_codes::ERROR_CODES;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#1d1d1f}\
code{font:13px ui-monospace,monospace;background:#f3f3f5;padding:.1em .3em;border-radius:3px}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;border-bottom:1px solid #ddd;padding:.3rem .5rem;vertical-align:top}\
.op{border:1px solid #ddd;border-radius:6px;padding:.2rem 1rem;margin:1rem 0}.m{display:inline-block;min-width:4.5em;font-weight:700;text-transform:uppercase}\
.get{color:#0a7d32}.post{color:#0b5cad}.put{color:#8a5a00}.patch{color:#6b3fa0}.delete{color:#b3261e}.lock{font-size:13px;color:#555}";

/// Escapes text for HTML.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Renders the page from the OpenAPI document (as JSON).
#[must_use]
pub fn render(doc: &Value) -> String {
    let title = escape(text(&doc["info"], "title"));
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>{STYLE}</style></head><body><h1>{title} <small>{}</small></h1><p>{}</p>\
         <p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI {}). \
         Jump to <a href=\"#errors\">error codes</a> or <a href=\"#schemas\">schemas</a>.</p>",
        escape(text(&doc["info"], "version")),
        escape(text(&doc["info"], "description")),
        escape(text(doc, "openapi")),
    );
    html.push_str("<h2 id=\"operations\">Operations</h2>");
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    render_operation(&mut html, method, path, op);
                }
            }
        }
    }
    render_errors(&mut html);
    html.push_str("<h2 id=\"schemas\">Schemas</h2>");
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            render_schema(&mut html, name, schema);
        }
    }
    html.push_str("</body></html>");
    html
}

fn render_operation(html: &mut String, method: &str, path: &str, op: &Value) {
    let id = format!("op-{method}-{}", path.replace(['/', '{', '}'], "-"));
    let secured = op.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
    let _ = write!(
        html,
        "<section class=\"op\" id=\"{}\"><h3><span class=\"m {method}\">{method}</span> <code>{}</code>{}</h3><p>{}</p>",
        escape(&id),
        escape(path),
        if secured { " <span class=\"lock\">(bearer token)</span>" } else { "" },
        escape(text(op, "description")).replace("\n\n", "</p><p>"),
    );
    if let Some(params) = op.get("parameters").and_then(Value::as_array).filter(|p| !p.is_empty()) {
        html.push_str("<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>required</th><th>description</th></tr>");
        for p in params {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(text(p, "name")),
                escape(text(p, "in")),
                type_of(&p["schema"]),
                if p["required"].as_bool().unwrap_or(false) { "yes" } else { "no" },
                escape(text(p, "description")),
            );
        }
        html.push_str("</table>");
    }
    if let Some(content) = op["requestBody"]["content"].as_object() {
        html.push_str("<h4>Request body</h4><table>");
        for (media, body) in content {
            let _ =
                write!(html, "<tr><td><code>{}</code></td><td>{}</td></tr>", escape(media), type_of(&body["schema"]));
        }
        html.push_str("</table>");
    }
    if let Some(responses) = op["responses"].as_object() {
        html.push_str("<h4>Responses</h4><table><tr><th>status</th><th>description</th><th>body</th></tr>");
        for (status, response) in responses {
            let bodies: Vec<String> = response["content"]
                .as_object()
                .map(|c| {
                    c.iter()
                        .map(|(media, b)| format!("<code>{}</code> {}", escape(media), type_of(&b["schema"])))
                        .collect()
                })
                .unwrap_or_default();
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(status),
                escape(text(response, "description")),
                bodies.join("<br>")
            );
        }
        html.push_str("</table>");
    }
    html.push_str("</section>");
}

fn render_errors(html: &mut String) {
    html.push_str("<h2 id=\"errors\">Error codes</h2><p>Every error is <code>application/problem+json</code> with \
        <code>type</code>, <code>title</code>, <code>status</code>, <code>detail</code> and a stable <code>code</code>.</p>\
        <table><tr><th>code</th><th>status</th><th>meaning</th></tr>");
    for (code, status, meaning) in ERROR_CODES {
        let _ = write!(
            html,
            "<tr id=\"problem-{code}\"><td><code>{code}</code></td><td>{status}</td><td>{}</td></tr>",
            escape(meaning)
        );
    }
    html.push_str("</table>");
}

fn render_schema(html: &mut String, name: &str, schema: &Value) {
    let _ = write!(
        html,
        "<section id=\"schema-{0}\"><h3>{0}</h3><p>{1}</p>",
        escape(name),
        escape(text(schema, "description"))
    );
    let parts: Vec<&Value> = match schema.get("allOf").and_then(Value::as_array) {
        Some(parts) => parts.iter().collect(),
        None => vec![schema],
    };
    for part in parts {
        if part.get("$ref").is_some() {
            let _ = write!(html, "<p>Includes every field of {}.</p>", type_of(part));
        } else {
            render_properties(html, part);
        }
    }
    if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
        html.push_str("<p>One of:</p><ul>");
        for v in variants {
            let _ = write!(html, "<li>{}</li>", type_of(v));
            if v.get("properties").is_some() {
                render_properties(html, v);
            }
        }
        html.push_str("</ul>");
    }
    html.push_str("</section>");
}

fn render_properties(html: &mut String, schema: &Value) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        if schema.get("oneOf").is_none() {
            let _ = write!(html, "<p>Type: {}</p>", type_of(schema));
        }
        return;
    };
    let required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    html.push_str("<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>");
    for (field, prop) in props {
        let _ = write!(
            html,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(field),
            type_of(prop),
            if required.contains(&field.as_str()) { "yes" } else { "no" },
            escape(text(prop, "description")),
        );
    }
    html.push_str("</table>");
}

/// A short HTML description of a schema's type, linking referenced schemas.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = escape(reference.rsplit('/').next().unwrap_or(reference));
        return format!("<a href=\"#schema-{name}\">{name}</a>");
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let joined: Vec<String> = options.iter().map(type_of).collect();
            return joined.join(if key == "allOf" { " and " } else { " or " });
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let shown: Vec<String> = values.iter().map(|v| format!("<code>{}</code>", escape(&v.to_string()))).collect();
        return format!("one of {}", shown.join(", "));
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(types) => types.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" or "),
        _ => "any".to_owned(),
    };
    if kind.starts_with("array") {
        return format!("array of {}", type_of(&schema["items"]));
    }
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{} ({})", escape(&kind), escape(format)),
        None => escape(&kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn renders_the_generated_document() {
        let doc = serde_json::to_value(crate::openapi::document()).expect("json");
        let html = render(&doc);
        assert!(html.contains("<code>/api/v1/films</code>"));
        assert!(html.contains("id=\"schema-Film\""));
        assert!(html.contains("id=\"problem-showtime_overlap\""));
        assert!(!html.contains("<script"));
    }
}
