//! Random instances from 10 to 5,000 students, perturbed (beds out of service, rooms removed so
//! the intake may not fit, pins valid and invalid): the hard rules always hold, everyone is placed
//! or reported with a reason, pins are kept, a seed fixes the plan, and the minimal-change
//! re-solve moves nobody for less than its threshold.

use std::collections::BTreeMap;

use proptest::prelude::*;
use zongwu_assign::{generate, Engine, Instance, MoveWhy, Pin, SolveOptions};

fn perturbed(n: usize, seed: u64, out_of_service: u32, drop_rooms: u32, pins: usize) -> Instance {
    let mut inst = generate::instance(n, seed);
    let mut rng = fastrand::Rng::with_seed(seed);
    for room in &mut inst.rooms {
        for bed in &mut room.beds {
            if rng.u32(..100) < out_of_service {
                bed.out_of_service = true;
            }
        }
    }
    inst.rooms.retain(|_| rng.u32(..100) >= drop_rooms);
    let beds: Vec<String> = inst.rooms.iter().flat_map(|r| r.beds.iter().map(|b| b.id.clone())).collect();
    if !beds.is_empty() {
        let mut taken = std::collections::BTreeSet::new();
        for _ in 0..pins {
            let s = rng.usize(..inst.students.len());
            if taken.insert(s) {
                inst.pins.push(Pin { student: inst.students[s].id.clone(), bed: beds[rng.usize(..beds.len())].clone() });
            }
        }
    }
    inst
}

fn opts(n: usize, seed: u64) -> SolveOptions {
    SolveOptions { seed, iterations: Some((n as u64 * 30).max(5_000)), ..Default::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn hard_rules_hold_and_runs_repeat(
        n in prop_oneof![3 => 10usize..300, 1 => 300usize..5_000],
        seed in 0u64..1_000,
        out_of_service in 0u32..15,
        drop_rooms in prop_oneof![2 => Just(0u32), 1 => 0u32..40],
        pins in 0usize..12,
    ) {
        let inst = perturbed(n, seed, out_of_service, drop_rooms, pins);
        let engine = Engine::new(inst.clone()).unwrap();
        let out = engine.solve(&opts(n, seed));
        let violations = engine.violations(&out.plan);
        prop_assert!(violations.is_empty(), "hard rules broken: {:?}", &violations[..violations.len().min(5)]);
        // Every student exactly once (violations checks Missing and ListedTwice), each unplaced one
        // with a reason the diagnosis accounts for.
        prop_assert_eq!(out.plan.placements.len() + out.plan.unplaced.len(), n);
        let diagnosed: usize = out.diagnosis.shortages.iter().map(|s| s.students.len()).sum();
        prop_assert_eq!(diagnosed, out.plan.unplaced.len(), "every unplaced student appears under one shortage");
        prop_assert_eq!(out.diagnosis.feasible, out.plan.unplaced.is_empty());
        // Pins the engine accepted are kept exactly (also a violation if not); refused ones say why.
        let placed: BTreeMap<&str, &str> = out.plan.placements.iter().map(|p| (p.student.as_str(), p.bed.as_str())).collect();
        for pin in &inst.pins {
            let reason = out.plan.unplaced.iter().find(|u| u.student == pin.student).map(|u| u.reason);
            prop_assert!(placed.get(pin.student.as_str()) == Some(&pin.bed.as_str()) || reason.is_some());
        }
        // The objective reported is the objective of the plan.
        let exact = engine.evaluate(&out.plan).unwrap().total;
        prop_assert!((exact - out.objective.total).abs() < 1e-6);
        // Same seed, same plan.
        let again = engine.solve(&opts(n, seed));
        prop_assert_eq!(&again.plan, &out.plan, "a seed must fix the plan");
    }

    #[test]
    fn minimal_change_re_solve_respects_its_threshold(
        n in 10usize..1_500,
        seed in 0u64..1_000,
        closed in 0u32..10,
        threshold in prop_oneof![Just(0.0), 0.5f64..6.0],
    ) {
        let base = generate::instance(n, seed);
        let first = Engine::new(base.clone()).unwrap().solve(&opts(n, seed));
        // Late changes: some beds go out of service, one student withdraws.
        let mut next = base;
        let mut rng = fastrand::Rng::with_seed(seed + 1);
        for room in &mut next.rooms {
            for bed in &mut room.beds {
                if rng.u32(..100) < closed {
                    bed.out_of_service = true;
                }
            }
        }
        let gone = next.students.remove(0).id;
        for s in &mut next.students {
            s.requests.retain(|r| *r != gone);
            s.avoid.retain(|r| *r != gone);
        }
        let engine = Engine::new(next).unwrap();
        let out = engine.resolve(&first.plan, threshold, &opts(n, seed));
        prop_assert!(engine.violations(&out.plan).is_empty());
        let diff = out.diff.clone().unwrap();
        prop_assert_eq!(diff.removed, vec![gone]);
        let board = engine.board(&out.plan).unwrap();
        let why: BTreeMap<&str, &MoveWhy> = diff.moves.iter().map(|m| (m.student.as_str(), &m.why)).collect();
        for mv in &diff.moves {
            match &mv.why {
                MoveWhy::Improvement { gain, .. } => prop_assert!(*gain > threshold, "{} moved for {gain} ≤ {threshold}", mv.student),
                MoveWhy::Chain | MoveWhy::New | MoveWhy::BedGone | MoveWhy::Pinned | MoveWhy::LostBed => {}
            }
            // Independently of the engine's own bookkeeping: if a kept student could walk straight
            // back to their old bed (free, or held by a newcomer), doing so must cost more than the threshold.
            if matches!(mv.why, MoveWhy::Improvement { .. } | MoveWhy::Chain) {
                let (Some(from), Some(_)) = (&mv.from, &mv.to) else { continue };
                let check = board.check_move(&mv.student, from);
                let partner_is_new = check.swap_with.as_deref().is_none_or(|p| matches!(why.get(p), Some(MoveWhy::New | MoveWhy::BedGone)));
                if check.allowed && partner_is_new {
                    prop_assert!(check.delta.total > threshold, "{} gains only {} by having moved", mv.student, check.delta.total);
                }
            }
        }
    }
}
