//! Working hours of 1,000,000 random ticket intervals on the China 2017/2018 calendar: how much
//! the calendar costs per ticket when a month's metrics are computed over a million tickets.
//!
//! ```sh
//! cargo run --release -p zongwu-assess --example calendar_bench [-- TICKETS]
//! ```
//!
//! Intervals start anywhere (second resolution) between the platform's launch on 2017-06-30 and
//! mid-2018 and last from a minute to 30 days, skewed short like real repairs; a fifth of them have
//! one or two paused stretches (waiting for parts). Generation is not timed. Each figure is the
//! best of five passes.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use std::hint::black_box;
use std::time::Instant;
use zongwu_assess::calendar::MS_PER_HOUR;
use zongwu_assess::{Interval, WorkingCalendar};

/// splitmix64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Ticket {
    start: NaiveDateTime,
    end: NaiveDateTime,
    paused: Vec<Interval>,
}

fn best_of(passes: usize, n: usize, mut f: impl FnMut() -> i64) -> (f64, i64) {
    let mut best = f64::INFINITY;
    let mut check = 0;
    for _ in 0..passes {
        let t = Instant::now();
        check = black_box(f());
        best = best.min(t.elapsed().as_nanos() as f64 / n as f64);
    }
    (best, check)
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let cal = WorkingCalendar::china_2017_2018();
    let launch = NaiveDate::from_ymd_opt(2017, 6, 30).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let mut rng = Rng(20_170_630);
    let tickets: Vec<Ticket> = (0..n)
        .map(|_| {
            let start = launch + Duration::seconds(rng.below(365 * 86_400) as i64);
            // Product of two uniforms: most tickets close within days, a few take weeks.
            let secs = 60 + (rng.below(30 * 86_400) * rng.below(1_000) / 1_000) as i64;
            let end = start + Duration::seconds(secs);
            let paused = if rng.below(5) == 0 {
                (0..1 + rng.below(2))
                    .map(|_| {
                        let s = start + Duration::seconds(rng.below(secs as u64) as i64);
                        Interval::new(s, s + Duration::seconds(rng.below(3 * 86_400) as i64))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Ticket { start, end, paused }
        })
        .collect();

    let (between, sum) = best_of(5, n, || tickets.iter().map(|t| cal.working_ms_between(t.start, t.end)).sum());
    let (excluding, sum_ex) =
        best_of(5, n, || tickets.iter().map(|t| cal.working_between_excluding(t.start, t.end, &t.paused)).sum());
    let (deadline, _) = best_of(5, n, || {
        tickets.iter().map(|t| cal.add_working(t.start, 24 * MS_PER_HOUR).map_or(0, |d| d.and_utc().timestamp())).sum()
    });
    println!("tickets: {n}");
    println!("working_ms_between:        {between:6.1} ns per interval ({:.1} ms in all)", between * n as f64 / 1e6);
    println!("working_between_excluding: {excluding:6.1} ns per interval (a fifth with 1–2 pauses)");
    println!("add_working (24 h SLA):    {deadline:6.1} ns per deadline");
    println!(
        "check: {:.1} working hours per ticket, {:.1} after pauses",
        sum as f64 / n as f64 / MS_PER_HOUR as f64,
        sum_ex as f64 / n as f64 / MS_PER_HOUR as f64
    );
}
