//! Intakes that cannot be fully placed end with a diagnosis (rule, how many short, who) within
//! the time limit; a run can be cancelled and reports progress.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zongwu_assign::{generate, Engine, Gender, Rule, SolveOptions, UnplacedReason};

use crate::helpers::{instance, room, student};

#[test]
fn too_few_accessible_beds_is_diagnosed_by_rule_count_and_name() {
    let mut students = Vec::new();
    for i in 0..12 {
        let mut s = student(&format!("A{i:02}"), Gender::Male, "采矿2401");
        s.needs_accessible = true;
        students.push(s);
    }
    for i in 0..10 {
        students.push(student(&format!("B{i:02}"), Gender::Male, "采矿2401"));
    }
    let rooms = vec![
        room("R1", 1, Gender::Male, 4, true),
        room("R2", 1, Gender::Male, 4, true),
        room("R3", 2, Gender::Male, 6, false),
        room("R4", 2, Gender::Male, 6, false),
    ];
    let engine = Engine::new(instance(students, rooms)).unwrap();
    let limit = Duration::from_secs(2);
    let start = Instant::now();
    let out = engine.solve(&SolveOptions { time_limit: limit, ..Default::default() });
    assert!(start.elapsed() < limit + Duration::from_millis(500), "never a hang");
    assert!(engine.violations(&out.plan).is_empty(), "unplaced, never placed against the rules");
    assert!(!out.diagnosis.feasible);
    let s = out.diagnosis.shortages.iter().find(|s| s.rule == Rule::AccessibleBeds).expect("the accessibility rule is named");
    assert_eq!((s.needed, s.available, s.short), (12, 8, 4));
    assert_eq!(s.message, "男生需要无障碍床位 12 人，可用 8 张，缺 4");
    assert_eq!(s.students.len(), 4, "who could not be placed");
    assert!(out.plan.unplaced.iter().all(|u| u.reason == UnplacedReason::NoAccessibleBed));
    assert_eq!(out.plan.placements.len(), 18, "everyone else is placed");
}

#[test]
fn a_big_shortage_of_beds_finishes_within_the_time_limit() {
    let mut inst = generate::instance(6_000, 3);
    // Close two thirds of the women's buildings.
    let mut women = 0;
    inst.rooms.retain(|r| {
        if r.gender == Gender::Female {
            women += 1;
            women % 3 == 0
        } else {
            true
        }
    });
    let engine = Engine::new(inst).unwrap();
    let limit = Duration::from_secs(3);
    let start = Instant::now();
    let out = engine.solve(&SolveOptions { time_limit: limit, iterations: Some(u64::MAX / 2), ..Default::default() });
    assert!(start.elapsed() < limit + Duration::from_millis(500), "the time limit holds ({:?})", start.elapsed());
    assert!(engine.violations(&out.plan).is_empty());
    let beds =
        out.diagnosis.shortages.iter().find(|s| s.rule == Rule::Beds && s.gender == Some(Gender::Female)).expect("bed shortage");
    assert!(beds.short > 0 && beds.message.starts_with("女生"), "{beds:?}");
    assert!(out.plan.unplaced.len() >= beds.short);
}

#[test]
fn a_run_reports_progress_and_can_be_cancelled() {
    let engine = Engine::new(generate::instance(2_000, 4)).unwrap();
    let cancel = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicU64::new(0));
    let (c, flag) = (calls.clone(), cancel.clone());
    let progress = Arc::new(move |_p: zongwu_assign::Progress| {
        // Cancel from the callback after a few reports, as the window's button would.
        if c.fetch_add(1, Ordering::Relaxed) == 3 {
            flag.store(true, Ordering::Relaxed);
        }
    });
    let out = engine.solve(&SolveOptions {
        iterations: Some(u64::MAX / 2),
        cancel: Some(cancel),
        progress: Some(progress),
        time_limit: Duration::from_secs(30),
        ..Default::default()
    });
    assert_eq!(out.stats.stopped, zongwu_assign::StopReason::Cancelled);
    assert!(calls.load(Ordering::Relaxed) >= 4);
    assert!(engine.violations(&out.plan).is_empty(), "a cancelled run still returns a valid plan");
}
