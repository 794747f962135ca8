//! The client's IP address: the TCP peer, or, when the peer is a trusted proxy
//! (`security.trusted_proxies`), the last address in `X-Forwarded-For` that is not one.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;

/// The client address of a request (`None` only when the server runs without connection
/// info, as in unit tests).
#[must_use]
pub fn client_ip(parts: &Parts, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())?;
    Some(resolve(peer, &parts.headers, trusted))
}

/// Walks `X-Forwarded-For` from the right while hops are trusted proxies.
#[must_use]
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.into_iter().rev().find(|hop| !trusted.contains(hop)).unwrap_or(peer)
}

/// Whether the request reached a trusted proxy over HTTPS (`X-Forwarded-Proto: https`).
#[must_use]
pub fn forwarded_https(parts: &Parts, trusted: &[IpAddr]) -> bool {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    peer.is_some_and(|p| trusted.contains(&p))
        && parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The client address as an extractor (`None` without connection info).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// A rate-limit key: `ip:<address>` (or `ip:unknown`).
    #[must_use]
    pub fn key(&self) -> String {
        self.0.map_or_else(|| "ip:unknown".to_owned(), |ip| format!("ip:{ip}"))
    }
}

impl axum::extract::FromRequestParts<crate::state::AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &crate::state::AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, &state.config.security.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("1.2.3.4, 10.0.0.2"));
        let trusted = [proxy, "10.0.0.2".parse().expect("ip")];
        assert_eq!(resolve(proxy, &headers, &trusted), "1.2.3.4".parse::<IpAddr>().expect("ip"));
        let stranger: IpAddr = "8.8.8.8".parse().expect("ip");
        assert_eq!(resolve(stranger, &headers, &trusted), stranger, "spoofed header ignored");
        assert_eq!(resolve(proxy, &HeaderMap::new(), &trusted), proxy);
    }
}
