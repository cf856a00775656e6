//! The assignment engine's figures for issue #10: 10,000 generated freshmen into about 2,000 rooms.
//!
//! `cargo run --release -p zongwu-assign --example assign_bench [-- STUDENTS [SEED]]`
//!
//! Prints time to the first feasible plan, time to the refined plan, move evaluations per
//! second, peak memory, hard violations, feasible mutual requests honoured, the objective against
//! a plain greedy fill, and the objective reached with 1 s, 5 s and 30 s budgets.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use zongwu_assign::{generate, Engine, Instance, Plan, SolveOptions, Term};

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Mutual pairs that the hard rules allow together (same gender, no anti-request), and how many
/// of them share a room.
fn mutual_honoured(inst: &Instance, plan: &Plan) -> (usize, usize) {
    let room: BTreeMap<&str, &str> = plan.placements.iter().map(|p| (p.student.as_str(), p.room.as_str())).collect();
    let by_id: BTreeMap<&str, &zongwu_assign::Student> = inst.students.iter().map(|s| (s.id.as_str(), s)).collect();
    let (mut pairs, mut together) = (0, 0);
    for s in &inst.students {
        for r in &s.requests {
            let o = by_id[r.as_str()];
            if s.id < o.id
                && o.requests.contains(&s.id)
                && o.gender == s.gender
                && !s.avoid.contains(r)
                && !o.avoid.contains(&s.id)
            {
                pairs += 1;
                together += usize::from(room.contains_key(s.id.as_str()) && room.get(s.id.as_str()) == room.get(o.id.as_str()));
            }
        }
    }
    (pairs, together)
}

fn main() {
    let students: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "assign_bench: {students} students, seed {seed}, load average {}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );

    let t = Instant::now();
    let inst = generate::instance(students, seed);
    let beds: usize = inst.rooms.iter().map(|r| r.beds.iter().filter(|b| b.usable()).count()).sum();
    println!("instance: {} rooms, {beds} usable beds, generated in {:.3} s", inst.rooms.len(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let engine = Engine::new(inst.clone()).expect("generated instances are valid");
    println!("model built in {:.3} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let (greedy_plan, greedy) = engine.plain_fill();
    println!("plain greedy fill: objective {:.1} in {:.3} s", greedy.total, t.elapsed().as_secs_f64());
    let _ = greedy_plan;

    let t = Instant::now();
    let out = engine.solve(&SolveOptions { seed, time_limit: Duration::from_secs(60), ..Default::default() });
    let total_secs = t.elapsed().as_secs_f64();
    let s = &out.stats;
    let violations = engine.violations(&out.plan);
    let (pairs, together) = mutual_honoured(&inst, &out.plan);
    let evals_per_sec = s.search.evaluations as f64 / s.search_secs;
    println!("first feasible plan (construction): {:.3} s, objective {:.1}", s.construction_secs, s.constructed.total);
    println!(
        "refined plan: {total_secs:.2} s in all ({} iterations, {} evaluated, {} accepted, {:?})",
        s.search.iterations, s.search.evaluations, s.search.accepted, s.stopped
    );
    println!(
        "move evaluations per second: {:.2} M (iterations {:.2} M/s)",
        evals_per_sec / 1e6,
        s.search.iterations as f64 / s.search_secs / 1e6
    );
    println!("hard violations: {}", violations.len());
    println!("unplaced: {}", out.plan.unplaced.len());
    println!("feasible mutual requests honoured: {together} of {pairs} ({:.2}%)", 100.0 * together as f64 / pairs.max(1) as f64);
    println!(
        "objective {:.1} vs plain fill {:.1}: {:.1}% lower (constructed plan {:.1}: {:.1}% lower)",
        out.objective.total,
        greedy.total,
        100.0 * (1.0 - out.objective.total / greedy.total),
        s.constructed.total,
        100.0 * (1.0 - s.constructed.total / greedy.total)
    );
    println!("terms (plain fill → optimised):");
    for term in Term::ALL {
        println!("  {:<16} {:>10.1} → {:>10.1}", format!("{term:?}"), greedy.get(term), out.objective.get(term));
    }
    let report = engine.report(&out.plan).expect("plan from the engine");
    println!(
        "fairness: mean {:.3}, median {:.3}, p10 {:.3}, min {:.3}; unmet requests {}",
        report.fairness.mean,
        report.fairness.median,
        report.fairness.p10,
        report.fairness.min,
        report.unmet_requests.len()
    );

    // The quality-versus-time curve: a budget of iterations sized from the measured rate (with a
    // margin, as the shared machine's speed varies), so the run ends by its schedule, cooled
    // completely, within the wall time it is given.
    let rate = s.search.iterations as f64 / s.search_secs;
    for secs in [1.0f64, 5.0, 30.0] {
        let budget = ((secs - s.construction_secs) * rate * 0.7).max(0.0) as u64;
        let t = Instant::now();
        let o = engine.solve(&SolveOptions {
            seed,
            iterations: Some(budget),
            time_limit: Duration::from_secs_f64(secs),
            ..Default::default()
        });
        println!(
            "objective with a {secs:>4.0} s budget: {:.1} ({:.2} s, {:?}, {} iterations, {:.1}% below plain fill)",
            o.objective.total,
            t.elapsed().as_secs_f64(),
            o.stats.stopped,
            o.stats.search.iterations,
            100.0 * (1.0 - o.objective.total / greedy.total)
        );
    }
    println!("peak memory (VmHWM): {:.1} MB", peak_rss_mb().unwrap_or(f64::NAN));
}
