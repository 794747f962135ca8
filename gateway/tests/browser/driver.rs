//! chromedriver as a child process on a free port, headless Chromium sessions on it, and
//! the page helpers the tests share (waiting for an element, a URL, a condition; running
//! axe-core).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long a test waits for something to appear before failing.
pub const PATIENCE: Duration = Duration::from_secs(10);

fn which(candidates: &[&str]) -> Option<String> {
    candidates.iter().find(|c| std::path::Path::new(c).exists()).map(|c| (*c).to_owned())
}

/// A running chromedriver; killed on drop.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts chromedriver on a free loopback port and waits until it answers.
    pub async fn start() -> Self {
        let binary = std::env::var("CHROMEDRIVER")
            .ok()
            .or_else(|| which(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]))
            .expect(
                "chromedriver not found: install Debian's chromium-driver (scripts/test.sh does) or set CHROMEDRIVER",
            );
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().expect("client");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if client.get(format!("{url}/status")).send().await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start on {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, url }
    }

    /// A new headless browser window of `width` × `height` CSS pixels (under 500 px wide: a
    /// phone's viewport, emulated).
    pub async fn browser(&self, width: u32, height: u32) -> Client {
        let chromium = std::env::var("CHROME_BIN")
            .ok()
            .or_else(|| which(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]))
            .expect("chromium not found: install Debian's chromium (scripts/test.sh does) or set CHROME_BIN");
        let mut options = json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--lang=en-GB", format!("--window-size={},{height}", width.max(500))],
        });
        // Desktop windows are at least 500 px wide: narrower widths are a phone's viewport.
        if width < 500 {
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0}});
        }
        let capabilities = json!({"browserName": "chrome", "goog:chromeOptions": options});
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector).capabilities(capabilities).connect(&self.url).await.expect("browser session")
    }
}

/// Waits for an element matching `css`.
pub async fn find(browser: &Client, css: &str) -> fantoccini::elements::Element {
    match browser.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await {
        Ok(element) => element,
        Err(e) => {
            let url = browser.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let text = browser.source().await.unwrap_or_default();
            panic!("no element {css:?} on {url}: {e}\n{text}")
        }
    }
}

/// Types `text` into the field `css`.
pub async fn fill(browser: &Client, css: &str, text: &str) {
    let field = find(browser, css).await;
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

/// Clicks the element `css`.
pub async fn click(browser: &Client, css: &str) {
    find(browser, css).await.click().await.unwrap_or_else(|e| panic!("click {css:?}: {e}"));
}

/// Waits until the path and query of the current URL start with `prefix`; returns them.
pub async fn wait_for_path(browser: &Client, prefix: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let url = browser.current_url().await.expect("url");
        let path = url.query().map_or_else(|| url.path().to_owned(), |q| format!("{}?{q}", url.path()));
        if path.starts_with(prefix) {
            return path;
        }
        assert!(Instant::now() < deadline, "expected a page under {prefix}, still on {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The visible text of the page's `<main>` (read again if the page changed under it).
pub async fn main_text(browser: &Client) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match find(browser, "main").await.text().await {
            Ok(text) => return text,
            Err(error) => assert!(Instant::now() < deadline, "reading <main>: {error}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `<main>` shows `needle` (the page may still be loading after a click);
/// returns the text.
pub async fn wait_for_text(browser: &Client, needle: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = main_text(browser).await;
        if text.contains(needle) {
            return text;
        }
        assert!(Instant::now() < deadline, "expected {needle:?} on the page, found:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `script` (a JavaScript expression) is true.
pub async fn wait_until(browser: &Client, what: &str, script: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let value = browser.execute(&format!("return !!({script});"), vec![]).await.expect("script");
        if value == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what} ({script})");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn axe_source() -> String {
    let path = std::env::var("AXE_CORE_JS").map(std::path::PathBuf::from).unwrap_or_else(|_| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/web-tools/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core not found at {} ({e}): run `npm install --prefix target/web-tools axe-core@4` (scripts/test.sh does)", path.display())
    })
}

/// Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the current page and returns its serious
/// and critical violations, one line each.
pub async fn axe_violations(browser: &Client) -> Vec<String> {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let source = SOURCE.get_or_init(axe_source);
    browser.execute(&format!("{source}\nreturn true;"), vec![]).await.expect("inject axe-core");
    let script = r"
        const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
          .then(r => done(r.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
          .catch(e => done(['axe failed: ' + e]));
    ";
    let value = browser.execute_async(script, vec![]).await.expect("run axe-core");
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}
