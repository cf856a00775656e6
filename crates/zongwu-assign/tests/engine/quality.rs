//! Realistic generated intakes: mutual requests that can be met are met (≥ 99%), and the
//! optimised plan beats a plain greedy fill by a wide margin.

use zongwu_assign::{generate, Engine, SolveOptions, Term};

#[test]
fn mutual_requests_are_honoured_and_the_search_beats_a_plain_fill() {
    let inst = generate::instance(3_000, 42);
    let engine = Engine::new(inst.clone()).unwrap();
    let out = engine.solve(&SolveOptions { seed: 7, ..Default::default() });
    assert!(engine.violations(&out.plan).is_empty());
    assert!(out.plan.unplaced.is_empty(), "the generated intake fits: {:?}", out.diagnosis);

    let room: std::collections::BTreeMap<&str, &str> =
        out.plan.placements.iter().map(|p| (p.student.as_str(), p.room.as_str())).collect();
    let by_id: std::collections::BTreeMap<&str, &zongwu_assign::Student> =
        inst.students.iter().map(|s| (s.id.as_str(), s)).collect();
    let (mut pairs, mut together) = (0, 0);
    for s in &inst.students {
        for r in &s.requests {
            let o = by_id[r.as_str()];
            // Mutual, counted once; feasible: same gender and no anti-request between them.
            if s.id < o.id
                && o.requests.contains(&s.id)
                && o.gender == s.gender
                && !s.avoid.contains(r)
                && !o.avoid.contains(&s.id)
            {
                pairs += 1;
                together += usize::from(room[s.id.as_str()] == room[o.id.as_str()]);
            }
        }
    }
    let share = together as f64 / pairs as f64;
    assert!(pairs > 100, "the generator makes mutual requests ({pairs})");
    assert!(share >= 0.99, "mutual requests honoured: {together} of {pairs} ({share:.4})");

    let (_, greedy) = engine.plain_fill();
    let gain = 1.0 - out.objective.total / greedy.total;
    println!("objective {:.1} vs plain fill {:.1}: {:.1}% better", out.objective.total, greedy.total, 100.0 * gain);
    assert!(gain >= 0.2, "optimised {:.1} must beat plain fill {:.1} by ≥ 20%", out.objective.total, greedy.total);
    assert!(out.objective.total <= out.stats.constructed.total + 1e-6, "the search never ends worse than it started");
    assert_eq!(out.objective.get(Term::Unplaced), 0.0);
}
