//! Tiny instances (at most 10 students) solved by enumeration: the engine must reach the
//! brute-force optimum in at least 95% of random cases.

use zongwu_assign::{Engine, Gender, Instance, Placement, Plan, SolveOptions};

use crate::helpers::{instance, room, student};

fn tiny(seed: u64) -> Instance {
    let mut rng = fastrand::Rng::with_seed(seed);
    let rooms_n = rng.usize(2..=3);
    let mut rooms = Vec::new();
    for r in 0..rooms_n {
        let gender = if r == 0 || rng.u32(..100) < 70 { Gender::Male } else { Gender::Female };
        rooms.push(room(&format!("R{r}"), 1 + rng.i32(0..2), gender, rng.usize(2..=4), rng.u32(..100) < 30));
    }
    let beds: usize = rooms.iter().map(|r| r.beds.len()).sum();
    let n = rng.usize(3..=beds.min(10));
    let classes = ["采矿2401", "采矿2402", "安全2401"];
    let mut students = Vec::new();
    for i in 0..n {
        let female_room = rooms.iter().any(|r| r.gender == Gender::Female);
        let gender = if female_room && rng.u32(..100) < 30 { Gender::Female } else { Gender::Male };
        let mut s = student(&format!("S{i}"), gender, classes[rng.usize(..classes.len())]);
        if s.class == "安全2401" {
            s.college = "安全工程学院".into();
            s.major = "安全工程".into();
        }
        s.province = if rng.bool() { "江苏" } else { "山东" }.into();
        s.lifestyle.sleep_minutes = rng.bool().then(|| [1320u16, 1380, 0, 60][rng.usize(..4)]);
        s.lifestyle.smokes = rng.bool().then(|| rng.u32(..100) < 20);
        s.lifestyle.cleanliness = rng.bool().then(|| rng.u8(1..=5));
        s.needs_accessible = rng.u32(..100) < 8;
        students.push(s);
    }
    for i in 0..n {
        if rng.u32(..100) < 30 {
            let j = rng.usize(..n);
            let id = students[j].id.clone();
            students[i].requests.push(id);
        }
        if rng.u32(..100) < 8 {
            let j = rng.usize(..n);
            let id = students[j].id.clone();
            students[i].avoid.push(id);
        }
    }
    let mut inst = instance(students, rooms);
    inst.weights.province_mix = 0.4;
    inst
}

/// The best objective over every way of putting the students into rooms (beds within a room are
/// interchangeable), or None when no assignment places everyone.
fn brute_force(engine: &Engine) -> Option<f64> {
    let inst = engine.instance();
    let n = inst.students.len();
    let rooms = inst.rooms.len();
    let mut choice = vec![0usize; n];
    let mut best: Option<f64> = None;
    loop {
        let mut used = vec![0usize; rooms];
        let mut plan = Plan::default();
        let mut ok = true;
        for (s, &r) in choice.iter().enumerate() {
            let room = &inst.rooms[r];
            if used[r] >= room.beds.len() {
                ok = false;
                break;
            }
            let bed = &room.beds[used[r]];
            used[r] += 1;
            plan.placements.push(Placement { student: inst.students[s].id.clone(), bed: bed.id.clone(), room: room.id.clone() });
        }
        if ok && engine.violations(&plan).is_empty() {
            let total = engine.evaluate(&plan).unwrap().total;
            if best.is_none_or(|b| total < b) {
                best = Some(total);
            }
        }
        // Next assignment, counting in base `rooms`.
        let mut i = 0;
        while i < n {
            choice[i] += 1;
            if choice[i] < rooms {
                break;
            }
            choice[i] = 0;
            i += 1;
        }
        if i == n {
            return best;
        }
    }
}

#[test]
fn finds_the_brute_force_optimum_on_tiny_instances() {
    let (mut cases, mut optimal) = (0, 0);
    let mut misses = Vec::new();
    for seed in 0..200u64 {
        let engine = Engine::new(tiny(seed)).unwrap();
        let Some(best) = brute_force(&engine) else { continue };
        let out = engine.solve(&SolveOptions { seed, iterations: Some(50_000), ..Default::default() });
        if !out.plan.unplaced.is_empty() {
            // Feasible by enumeration, so the engine must place everyone too.
            misses.push((seed, best, f64::INFINITY));
        } else if out.objective.total <= best + 1e-6 {
            optimal += 1;
        } else {
            misses.push((seed, best, out.objective.total));
        }
        assert!(out.objective.total >= best - 1e-6, "seed {seed}: the engine beat enumeration, so one of them is wrong");
        cases += 1;
    }
    assert!(cases >= 100, "enough feasible cases ({cases})");
    let share = optimal as f64 / cases as f64;
    assert!(share >= 0.95, "optimal in {optimal} of {cases} ({share:.3}); misses (seed, best, engine): {misses:?}");
}
