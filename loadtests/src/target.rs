//! The target server: a base URL that must be on loopback unless `--allow-remote`.

use anyhow::{Context, bail};
use url::{Host, Url};

/// Parses `raw` and refuses non-loopback hosts unless `allow_remote`.
pub fn parse(raw: &str, allow_remote: bool) -> anyhow::Result<Url> {
    let url = Url::parse(raw).with_context(|| format!("--target {raw:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("--target must be http:// or https://, got {raw:?}");
    }
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d == "localhost",
        None => false,
    };
    if !loopback && !allow_remote {
        bail!("--target {raw:?} is not on loopback; pass --allow-remote to load a remote server");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_loopback_by_default() {
        assert!(super::parse("http://127.0.0.1:8080", false).is_ok());
        assert!(super::parse("http://[::1]:8080", false).is_ok());
        assert!(super::parse("http://localhost:8080", false).is_ok());
        assert!(super::parse("http://example.org", false).is_err());
        assert!(super::parse("http://example.org", true).is_ok());
        assert!(super::parse("ftp://127.0.0.1", false).is_err());
        assert!(super::parse("nonsense", false).is_err());
    }
}
