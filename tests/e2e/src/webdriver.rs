//! The few W3C WebDriver calls the tests need, as blocking HTTP with `ureq`.
//!
//! A client crate (fantoccini, thirtyfour) would bring an async runtime and its own version of
//! the HTTP stack for about a dozen endpoints; the protocol is small enough to speak directly:
//! <https://www.w3.org/TR/webdriver2/>. Every response is `{"value": …}`; errors carry
//! `{"value": {"error", "message"}}` with a 4xx/5xx status and become [`WebDriverError`].

use std::fmt;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::{json, Value};

use crate::{decode_png, value_str};

/// The key a web element reference has in JSON, fixed by the W3C spec.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An error the WebDriver server reported, e.g. `no such element`.
#[derive(Debug)]
pub struct WebDriverError {
    pub status: u16,
    /// The W3C error code, e.g. `element click intercepted`.
    pub error: String,
    pub message: String,
}

impl fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebDriver error {} ({}): {}", self.error, self.status, self.message)
    }
}

impl std::error::Error for WebDriverError {}

/// A reference to an element in the window's DOM.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Element {
    /// Reads a web element reference (`{"element-6066-…": id}`); `None` for `null` or anything
    /// else.
    pub fn from_json(v: &Value) -> Option<Element> {
        v.get(ELEMENT_KEY).and_then(Value::as_str).map(|id| Element(id.to_owned()))
    }

    /// The JSON form, to pass an element as a script argument.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

/// One WebDriver session: one app window. Deleted (the app quits) on drop.
pub struct Session {
    agent: ureq::Agent,
    base: String,
    id: String,
}

impl Session {
    /// `POST /session`: starts the app and waits for its window.
    pub fn create(server: &str, capabilities: &Value) -> Result<Session> {
        let agent = ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(5)).build();
        // Creating a session launches the app; a cold debug build can take a while.
        let value = call_with(&agent, "POST", &format!("{server}/session"), Some(capabilities), Duration::from_secs(120))?;
        let id = value.get("sessionId").and_then(Value::as_str).with_context(|| format!("no sessionId in {value}"))?.to_owned();
        Ok(Session { agent, base: format!("{server}/session/{id}"), id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn get(&self, path: &str) -> Result<Value> {
        call(&self.agent, "GET", &format!("{}{path}", self.base), None)
    }

    fn post(&self, path: &str, body: Value) -> Result<Value> {
        call(&self.agent, "POST", &format!("{}{path}", self.base), Some(&body))
    }

    /// Runs `script` (a function body using `arguments`) in the page and returns its result.
    pub fn execute(&self, script: &str, args: &[Value]) -> Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }

    /// The first element matching `css`, visible or not (see `App::find_visible`).
    pub fn find(&self, css: &str) -> Result<Element> {
        let v = self.post("/element", json!({ "using": "css selector", "value": css }))?;
        Element::from_json(&v).with_context(|| format!("bad element reference {v}"))
    }

    pub fn click(&self, el: &Element) -> Result<()> {
        self.post(&format!("/element/{}/click", el.0), json!({})).map(drop)
    }

    /// Types `text` with real key events; `\u{E000}`… are the W3C special keys.
    pub fn send_keys(&self, el: &Element, text: &str) -> Result<()> {
        self.post(&format!("/element/{}/value", el.0), json!({ "text": text })).map(drop)
    }

    pub fn text(&self, el: &Element) -> Result<String> {
        self.get(&format!("/element/{}/text", el.0)).map(|v| value_str(&v))
    }

    pub fn attribute(&self, el: &Element, name: &str) -> Result<Option<String>> {
        let v = self.get(&format!("/element/{}/attribute/{name}", el.0))?;
        Ok(v.as_str().map(str::to_owned))
    }

    pub fn property(&self, el: &Element, name: &str) -> Result<String> {
        let v = self.get(&format!("/element/{}/property/{name}", el.0))?;
        Ok(match v {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        })
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        // WebKitGTK takes the screenshot after the next rendering update; on an idle page under
        // Xvfb none comes and the command never returns. A few invisible repaints provide one.
        self.execute(REPAINT_JS, &[])?;
        let v = self.get("/screenshot")?;
        decode_png(v.as_str().context("screenshot is not a string")?)
    }

    pub fn page_source(&self) -> Result<String> {
        self.get("/source").map(|v| value_str(&v))
    }

    pub fn title(&self) -> Result<String> {
        self.get("/title").map(|v| value_str(&v))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Closes the window and ends the app; errors are moot now (tauri-driver is stopped next).
        let _ = call(&self.agent, "DELETE", &self.base, None);
    }
}

/// One WebDriver command: returns the `value` of the answer or the server's error.
fn call(agent: &ureq::Agent, method: &str, url: &str, body: Option<&Value>) -> Result<Value> {
    call_with(agent, method, url, body, CALL_TIMEOUT)
}

/// A command that takes longer than this is stuck: fail it instead of hanging CI.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

fn call_with(agent: &ureq::Agent, method: &str, url: &str, body: Option<&Value>, timeout: Duration) -> Result<Value> {
    // A per-request deadline, not the agent's read timeout: ureq 2 clears socket read timeouts
    // when a connection goes back to its pool, so a reused connection would wait forever.
    let request = agent.request(method, url).timeout(timeout);
    let response = match body {
        Some(body) => request.send_json(body),
        None => request.call(),
    };
    let answer: Value = match response {
        Ok(resp) => resp.into_json().with_context(|| format!("{method} {url}: body is not JSON"))?,
        Err(ureq::Error::Status(status, resp)) => {
            let body: Value = resp.into_json().unwrap_or(Value::Null);
            let value = &body["value"];
            return Err(
                WebDriverError { status, error: value_str(&value["error"]), message: value_str(&value["message"]) }.into()
            );
        }
        Err(err) => return Err(err).with_context(|| format!("{method} {url}")),
    };
    Ok(answer.get("value").cloned().unwrap_or(Value::Null))
}

/// Adds a nearly transparent 1-pixel element and moves it for half a second: enough rendering
/// updates for a screenshot, nothing visible in it.
const REPAINT_JS: &str = r#"
const dot = document.createElement('div');
dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;opacity:0.01;' +
  'background:#000;pointer-events:none;z-index:2147483647';
document.body.appendChild(dot);
let n = 0;
const tick = setInterval(() => {
  dot.style.left = (n++ % 2) + 'px';
  if (n > 20) { clearInterval(tick); dot.remove(); }
}, 25);
return true;
"#;

/// `GET /status` on a server: `Ok` once it answers at all.
pub fn status(server: &str) -> Result<Value> {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(2)).build();
    call(&agent, "GET", &format!("{server}/status"), None)
}
