//! Cookies: reading one from `Cookie`, and building the `Set-Cookie` of the session
//! (HttpOnly) and of its CSRF token (readable by scripts, for the double-submit header).

use axum::http::HeaderMap;
use axum::http::header;

/// The session cookie: HttpOnly, SameSite=Lax, Secure under TLS.
pub const SESSION_COOKIE: &str = "boxoffice_session";
/// The CSRF cookie: readable by the page's scripts, sent back in `X-CSRF-Token`.
pub const CSRF_COOKIE: &str = "boxoffice_csrf";

/// The value of cookie `name`, if sent.
#[must_use]
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value; `max_age_s = 0` deletes the cookie.
#[must_use]
pub fn set(name: &str, value: &str, max_age_s: u64, http_only: bool, secure: bool) -> String {
    let mut cookie = format!("{name}={value}; Path=/; Max-Age={max_age_s}; SameSite=Lax");
    if http_only {
        cookie.push_str("; HttpOnly");
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn reads_and_writes_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; boxoffice_session=abc; b=2"));
        assert_eq!(get(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(get(&headers, "c"), None);
        let cookie = set(SESSION_COOKIE, "abc", 60, true, true);
        assert_eq!(cookie, "boxoffice_session=abc; Path=/; Max-Age=60; SameSite=Lax; HttpOnly; Secure");
    }
}
