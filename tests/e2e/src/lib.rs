//! Harness for driving the real zongwu window over WebDriver.
//!
//! `cargo xtask test` builds the app and runs these tests with `ZONGWU_E2E_APP` set to the binary,
//! on an Xvfb display. [`App::launch`] then
//! 1. makes a fresh temporary data directory (`ZONGWU_DATA_DIR`, exports in its `exports/` via
//!    `ZONGWU_EXPORT_DIR`) and asks for an empty database (`ZONGWU_NO_DEMO=1`): every test
//!    starts from the same known state;
//! 2. starts `tauri-driver` on free ports with that environment, which the app inherits
//!    (tauri-driver → WebKitWebDriver → app);
//! 3. opens a WebDriver session whose `tauri:options.application` is the binary: the window opens.
//!
//! Dropping the [`App`] closes the session (the window), stops tauri-driver and deletes the data
//! directory, also when a step panicked.
//!
//! The WebDriver client is a few plain W3C HTTP calls ([`webdriver`]); the helpers on [`App`]
//! wait the way a user would (poll until the element is visible, retry a click an animation
//! swallowed) so tests read as a list of steps with `data-testid` selectors.

pub mod driver;
pub mod webdriver;

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use base64::Engine as _;
use serde_json::{json, Value};
use tempfile::TempDir;

pub use crate::driver::TauriDriver;
pub use crate::webdriver::{Element, Session, WebDriverError};

/// How long a step waits for the UI before it fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(150);

/// `[data-testid="…"]`.
pub fn tid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// The running app: a WebDriver session on its window plus everything that must be cleaned up.
///
/// Field order is drop order: close the window, then stop tauri-driver, then delete the data.
pub struct App {
    pub session: Session,
    _driver: TauriDriver,
    data_dir: TempDir,
    screenshots: PathBuf,
    shot: u32,
}

impl App {
    /// Starts the app on an empty data directory, or returns `None` (after printing why) when
    /// `ZONGWU_E2E_APP` is not set, i.e. when run by a plain `cargo test` instead of
    /// `cargo xtask test`.
    pub fn launch() -> Result<Option<App>> {
        let Some(app) = env::var_os("ZONGWU_E2E_APP") else {
            println!(
                "SKIPPED: ZONGWU_E2E_APP not set (run `cargo xtask test`, which builds the app \
                 and sets it)"
            );
            return Ok(None);
        };
        let app = PathBuf::from(app);
        anyhow::ensure!(app.is_file(), "ZONGWU_E2E_APP={} is not a file", app.display());
        let data_dir =
            tempfile::Builder::new().prefix("zongwu-e2e-").tempdir().context("creating the temporary data directory")?;
        println!("data dir: {}", data_dir.path().display());

        // Workbooks go next to the database, not into the user's Documents folder.
        let export_dir = data_dir.path().join("exports");
        let driver = TauriDriver::start(&[
            ("ZONGWU_DATA_DIR", data_dir.path().as_os_str()),
            ("ZONGWU_EXPORT_DIR", export_dir.as_os_str()),
            ("ZONGWU_NO_DEMO", "1".as_ref()),
        ])?;
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "tauri:options": { "application": app.to_string_lossy() }
                }
            }
        });
        let session =
            Session::create(&driver.url(), &capabilities).context("creating the WebDriver session (starting the app)")?;

        // One folder per test (the harness names each test's thread after it), so tests in one
        // run keep each other's screenshots; old screenshots would mix with this run's.
        let test = std::thread::current().name().unwrap_or("e2e").replace("::", "-");
        let screenshots = screenshot_dir().join(test);
        let _ = fs::remove_dir_all(&screenshots);
        fs::create_dir_all(&screenshots).with_context(|| format!("creating {}", screenshots.display()))?;

        Ok(Some(App { session, _driver: driver, data_dir, screenshots, shot: 0 }))
    }

    /// The app's data directory (`ZONGWU_DATA_DIR`).
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// Where the window saves workbooks (`ZONGWU_EXPORT_DIR`).
    pub fn export_dir(&self) -> PathBuf {
        self.data_dir.path().join("exports")
    }

    /// Runs the steps; on failure saves a screenshot and the page source before panicking with
    /// the error, so CI artefacts show what the window looked like.
    pub fn run(mut self, steps: impl FnOnce(&mut App) -> Result<()>) {
        if let Err(err) = steps(&mut self) {
            let shot = self.screenshot("failure");
            let html = self.session.page_source().map(|src| {
                let path = self.screenshots.join("failure.html");
                let _ = fs::write(&path, src);
                path
            });
            panic!(
                "end-to-end test failed: {err:#}\n  screenshot: {}\n  page source: {}",
                display_result(&shot),
                display_result(&html)
            );
        }
    }

    /// Saves `target/e2e-screenshots/<test>/NN-<step>.png` and returns its path.
    pub fn screenshot(&mut self, step: &str) -> Result<PathBuf> {
        self.shot += 1;
        let png = self.session.screenshot()?;
        let path = self.screenshots.join(format!("{:02}-{step}.png", self.shot));
        fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        println!("screenshot: {}", path.display());
        Ok(path)
    }

    /// Waits until a visible element matches `css`.
    pub fn wait_for(&self, css: &str) -> Result<Element> {
        self.wait_for_text(css, "")
    }

    /// Waits until a visible element matches `css` and its text contains `text`.
    pub fn wait_for_text(&self, css: &str, text: &str) -> Result<Element> {
        step(format_args!("wait for {css} {text}"));
        poll(&format!("visible `{css}` containing {text:?}"), || self.find_visible(css, text))
    }

    /// Waits until no visible element matches `css` (a dialog closed, a spinner went away).
    pub fn wait_gone(&self, css: &str) -> Result<()> {
        step(format_args!("wait until {css} is gone"));
        poll(&format!("`{css}` to disappear"), || Ok(self.find_visible(css, "")?.is_none().then_some(())))
    }

    /// The first visible element matching `css` whose text contains `text`, if any now.
    pub fn find_visible(&self, css: &str, text: &str) -> Result<Option<Element>> {
        let found = self.session.execute(FIND_VISIBLE_JS, &[json!(css), json!(text)])?;
        Ok(Element::from_json(&found))
    }

    /// The text of every visible element matching `css`.
    pub fn texts(&self, css: &str) -> Result<Vec<String>> {
        let found = self.session.execute(ALL_TEXTS_JS, &[json!(css)])?;
        Ok(found.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default())
    }

    /// Waits for `css` and clicks it.
    pub fn click(&self, css: &str) -> Result<()> {
        self.click_text(css, "")
    }

    /// Waits for a visible `css` element containing `text` and clicks it, retrying while an
    /// animation or overlay is in the way.
    pub fn click_text(&self, css: &str, text: &str) -> Result<()> {
        step(format_args!("click {css} {text}"));
        poll(&format!("click on `{css}` containing {text:?}"), || {
            let Some(el) = self.find_visible(css, text)? else {
                return Ok(None);
            };
            match self.session.click(&el) {
                Ok(()) => Ok(Some(())),
                Err(err) if is_transient(&err) => Ok(None),
                Err(err) => Err(err),
            }
        })
    }

    /// Types into the input `css` (an `<input>`/`<textarea>` or a wrapper such as `el-input`),
    /// replacing what was there.
    pub fn type_into(&self, css: &str, text: &str) -> Result<()> {
        step(format_args!("type {css} {text:?}"));
        let input = poll(&format!("input in `{css}`"), || {
            let found = self.session.execute(FIND_INPUT_JS, &[json!(css)])?;
            Ok(Element::from_json(&found))
        })?;
        self.session.click(&input).or_else(|err| if is_transient(&err) { Ok(()) } else { Err(err) })?;
        if !self.session.property(&input, "value")?.is_empty() {
            // Ctrl+A, Backspace: a real user's clear, which fires the input events Vue listens to.
            self.session.send_keys(&input, "\u{E009}a\u{E000}\u{E003}")?;
        }
        self.session.send_keys(&input, text)?;
        let value = self.session.property(&input, "value")?;
        if value != text {
            // Some WebDriver builds cannot synthesise keys for CJK characters; set the value the
            // way an input method would deliver it.
            println!("typing into `{css}` gave {value:?}; setting the value directly");
            self.session.execute(SET_VALUE_JS, &[input.to_json(), json!(text)])?;
        }
        Ok(())
    }

    /// Opens the Element Plus select `css` and picks the option whose text contains `option`.
    /// Options are teleported into `<body>`, each with `data-testid="option-<value>"`.
    pub fn select(&self, css: &str, option: &str) -> Result<()> {
        self.click(css)?;
        self.click_text("[data-testid^=\"option-\"], .el-select-dropdown__item", option)
    }

    /// The trimmed text of the first visible `css` element.
    pub fn text(&self, css: &str) -> Result<String> {
        let el = self.wait_for(css)?;
        Ok(self.session.text(&el)?.trim().to_owned())
    }

    /// The value of the input `css` (an `<input>`/`<textarea>` or a wrapper such as `el-input`).
    pub fn input_value(&self, css: &str) -> Result<String> {
        let input = poll(&format!("input in `{css}`"), || {
            let found = self.session.execute(FIND_INPUT_JS, &[json!(css), json!(true)])?;
            Ok(Element::from_json(&found))
        })?;
        self.session.property(&input, "value")
    }

    /// An attribute of the first visible `css` element.
    pub fn attribute(&self, css: &str, name: &str) -> Result<Option<String>> {
        let el = self.wait_for(css)?;
        self.session.attribute(&el, name)
    }
}

/// Logs one action, so a failure's output shows how far the test got.
fn step(what: std::fmt::Arguments<'_>) {
    println!("  · {}", what.to_string().trim_end());
}

/// Calls `f` until it yields `Some`, an error, or [`TIMEOUT`] passes.
pub fn poll<T>(what: &str, mut f: impl FnMut() -> Result<Option<T>>) -> Result<T> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(value) = f()? {
            return Ok(value);
        }
        if Instant::now() >= deadline {
            anyhow::bail!("timed out after {TIMEOUT:?} waiting for {what}");
        }
        thread::sleep(POLL);
    }
}

/// Errors a user would not notice because the next try a moment later works.
fn is_transient(err: &anyhow::Error) -> bool {
    err.downcast_ref::<WebDriverError>().is_some_and(|e| {
        matches!(
            e.error.as_str(),
            "element click intercepted" | "element not interactable" | "stale element reference" | "no such element"
        )
    })
}

fn display_result(r: &Result<PathBuf>) -> String {
    match r {
        Ok(p) => p.display().to_string(),
        Err(e) => format!("(not saved: {e:#})"),
    }
}

/// `<target>/e2e-screenshots`, where `<target>` is `CARGO_TARGET_DIR` or the workspace's.
fn screenshot_dir() -> PathBuf {
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..").join("target"));
    let dir = target.join("e2e-screenshots");
    // `tests/e2e/../../target` reads badly in logs; the directory exists once created below.
    fs::create_dir_all(&dir).ok();
    dir.canonicalize().unwrap_or(dir)
}

/// Decodes a base64 PNG as returned by the screenshot endpoint.
pub(crate) fn decode_png(b64: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(b64).context("screenshot is not base64")
}

pub(crate) fn value_str(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_default()
}

const FIND_VISIBLE_JS: &str = r#"
const [sel, text] = arguments;
const visible = (e) => {
  if (!e.getClientRects().length) return false;
  const s = getComputedStyle(e);
  return s.visibility !== 'hidden' && s.display !== 'none';
};
for (const e of document.querySelectorAll(sel)) {
  if (visible(e) && (!text || (e.innerText || e.textContent || '').includes(text))) return e;
}
return null;
"#;

const ALL_TEXTS_JS: &str = r#"
const [sel] = arguments;
return Array.from(document.querySelectorAll(sel))
  .filter((e) => e.getClientRects().length)
  .map((e) => (e.innerText || e.textContent || '').trim());
"#;

const FIND_INPUT_JS: &str = r#"
const [sel, disabledToo] = arguments;
for (const e of document.querySelectorAll(sel)) {
  const input = e.matches('input, textarea') ? e : e.querySelector('input, textarea');
  if (input && input.getClientRects().length && (disabledToo || !input.disabled)) return input;
}
return null;
"#;

const SET_VALUE_JS: &str = r#"
const [input, text] = arguments;
input.focus();
input.value = text;
input.dispatchEvent(new Event('input', { bubbles: true }));
input.dispatchEvent(new Event('change', { bubbles: true }));
"#;
