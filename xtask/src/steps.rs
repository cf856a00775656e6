//! A list of named steps with their outcome and duration, printed as a summary at the end.
//!
//! `cargo xtask test` keeps going after a failed step (except set-up) so one CI run reports every
//! broken check, not only the first; the exit status is non-zero when any step failed.

use std::time::{Duration, Instant};

use anyhow::Result;

enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

struct Step {
    name: String,
    outcome: Outcome,
    took: Duration,
}

#[derive(Default)]
pub struct Steps {
    done: Vec<Step>,
}

impl Steps {
    /// Runs one step, printing a banner before and recording the result after.
    pub fn run(&mut self, name: &str, f: impl FnOnce() -> Result<()>) {
        println!("\n==> {name}");
        let start = Instant::now();
        let outcome = match f() {
            Ok(()) => Outcome::Passed,
            Err(err) => {
                eprintln!("==> {name}: FAILED: {err:#}");
                Outcome::Failed(format!("{err:#}"))
            }
        };
        self.done.push(Step { name: name.to_owned(), outcome, took: start.elapsed() });
    }

    pub fn skip(&mut self, name: &str, reason: &str) {
        println!("\n==> {name}: skipped ({reason})");
        self.done.push(Step { name: name.to_owned(), outcome: Outcome::Skipped(reason.to_owned()), took: Duration::ZERO });
    }

    /// Whether the most recent step passed (`false` when there is none yet).
    pub fn last_passed(&self) -> bool {
        self.done.last().is_some_and(|s| matches!(s.outcome, Outcome::Passed))
    }

    pub fn failed(&self) -> bool {
        self.done.iter().any(|s| matches!(s.outcome, Outcome::Failed(_)))
    }

    /// Prints the summary table and turns any failure into an error.
    pub fn finish(self) -> Result<()> {
        let total: Duration = self.done.iter().map(|s| s.took).sum();
        let width = self.done.iter().map(|s| s.name.len()).max().unwrap_or(0);
        println!("\n==> summary");
        for step in &self.done {
            let (mark, note) = match &step.outcome {
                Outcome::Passed => ("ok  ", String::new()),
                Outcome::Failed(err) => ("FAIL", format!("  {}", first_line(err))),
                Outcome::Skipped(why) => ("skip", format!("  ({why})")),
            };
            println!("  {mark}  {:<width$}  {:>8}{note}", step.name, fmt_duration(step.took));
        }
        println!("  total {}", fmt_duration(total));
        let failed: Vec<&str> =
            self.done.iter().filter(|s| matches!(s.outcome, Outcome::Failed(_))).map(|s| s.name.as_str()).collect();
        let skipped = self.done.iter().filter(|s| matches!(s.outcome, Outcome::Skipped(_))).count();
        let passed = self.done.len() - failed.len() - skipped;
        // The closing line CI reads: counts of steps, each of which ran its own test runner.
        println!("steps: {passed} passed, {} failed, {skipped} skipped", failed.len());
        if failed.is_empty() {
            Ok(())
        } else {
            anyhow::bail!("failed: {}", failed.join(", "))
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}
