//! Browser tests: the real server on a random port, driven through Debian's chromium and
//! chromium-driver (headless) with fantoccini. They walk the customer journey and the
//! console, and run axe-core on every page type. `scripts/test.sh` installs chromium,
//! chromium-driver and axe-core (into `target/web-tools`) when they are missing; without
//! them these tests fail with a message saying what to install.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod accessibility;
mod console;
mod driver;
mod journey;
mod screenshots;
