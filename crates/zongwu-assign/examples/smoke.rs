use std::time::{Duration, Instant};
use zongwu_assign::*;
fn main() {
    let n: usize = std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(10_000);
    let it: Option<u64> = std::env::args().nth(2).map(|a| a.parse().unwrap());
    let t = Instant::now();
    let inst = generate::instance(n, 1);
    println!("gen {:?} rooms {}", t.elapsed(), inst.rooms.len());
    let e = Engine::new(inst).unwrap();
    let (gp, go) = e.plain_fill();
    println!("plain {:.1} unplaced {} viol {}", go.total, gp.unplaced.len(), e.violations(&gp).len());
    let o = e.solve(&SolveOptions { iterations: it, time_limit: Duration::from_secs(60), ..Default::default() });
    println!("constructed {:.1} in {:.3}s", o.stats.constructed.total, o.stats.construction_secs);
    for t in &o.stats.constructed.terms {
        print!("{:?}={:.1} ", t.term, t.value);
    }
    println!();
    println!(
        "final {:.1} search {:.3}s {:?} evals/s {:.0}",
        o.objective.total,
        o.stats.search_secs,
        o.stats.search,
        o.stats.search.evaluations as f64 / o.stats.search_secs
    );
    for t in &o.objective.terms {
        print!("{:?}={:.1} ", t.term, t.value);
    }
    println!();
    println!("viol {:?} unplaced {}", e.violations(&o.plan).iter().take(3).collect::<Vec<_>>(), o.plan.unplaced.len());
}
