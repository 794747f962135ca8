//! Email through a real SMTP server: Python's aiosmtpd on 127.0.0.1, started here, receives
//! the verification email; the link in it verifies the account. Skipped (loudly) only when
//! `python3` is missing; `scripts/test.sh` installs aiosmtpd.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use boxoffice_gateway::config::{MailTransport, SmtpTls};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::accounts::token_in;
use crate::helpers::{expect_json, spawn_app_with};

const SERVER: &str = r#"
import os, sys, time
from aiosmtpd.controller import Controller

class Keep:
    async def handle_DATA(self, server, session, envelope):
        path = os.path.join(sys.argv[2], "%d.eml" % len(os.listdir(sys.argv[2])))
        with open(path + ".tmp", "wb") as f:
            f.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 OK"

controller = Controller(Keep(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
while True:
    time.sleep(1)
"#;

struct Smtp(Child);

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn python_available() -> bool {
    Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success())
}

fn start(port: u16, dir: &std::path::Path) -> Smtp {
    let mut child = Command::new("python3")
        .args(["-c", SERVER, &port.to_string(), dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start python3");
    let stdout = child.stdout.take().expect("stdout");
    let first = BufReader::new(stdout).lines().next();
    assert!(
        matches!(first, Some(Ok(ref line)) if line == "ready"),
        "the SMTP test server did not start ({first:?}); install aiosmtpd: python3 -m pip install aiosmtpd"
    );
    Smtp(child)
}

#[tokio::test]
async fn the_verification_email_goes_through_a_real_smtp_server() {
    if !python_available() {
        eprintln!("\n\n*** SKIPPED the_verification_email_goes_through_a_real_smtp_server: python3 is missing ***\n\n");
        return;
    }
    let received = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _smtp = start(port, received.path());
    let app = spawn_app_with(|s| {
        s.mail.transport = MailTransport::Smtp;
        s.mail.smtp_host = "127.0.0.1".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = SmtpTls::None;
        s.mail.smtp_timeout_ms = 5_000;
        s.mail.from = "Cinéma boxoffice <tickets@cinema.test>".into();
    })
    .await;
    let (token, _) = app.register_customer("Ada", "ada@example.com").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mail = loop {
        let found = std::fs::read_dir(received.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "eml"));
        if let Some(path) = found {
            break std::fs::read_to_string(path).unwrap();
        }
        assert!(Instant::now() < deadline, "no email reached the SMTP server");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(mail.starts_with("X-Envelope-To: ada@example.com"), "{mail}");
    assert!(mail.contains("tickets@cinema.test") && mail.contains("Confirm your email address"), "{mail}");
    let link = token_in(&mail, "/account/verify-email");
    let verified =
        app.request(Method::POST, "/api/v1/auth/verify-email").json(&json!({"token": link})).send().await.unwrap();
    assert_eq!(expect_json(verified, StatusCode::OK).await["email_verified"], true);
    let me = expect_json(app.customer(&token, Method::GET, "/api/v1/me").send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(me["balance"]["amount_minor"], 500_000);
    assert!(std::fs::read_dir(app.dir.path().join("outbox")).is_err(), "SMTP, not the outbox");
}
