//! Re-solving with minimal change, after late admissions, withdrawals or beds going out of service.
//!
//! Students of the previous plan stay on their beds when those are still valid. Newcomers and
//! students whose bed is gone are placed by best insertion. Then a descent runs on the objective
//! plus `threshold` per kept student off their previous bed, so moving someone must gain more than
//! the threshold. A final pass walks every moved student back to their old bed (directly, or by
//! trading with a newcomer who took it) whenever the move gained no more than the threshold,
//! until nothing changes; that is the guarantee the property test checks. The diff says who moved,
//! from where to where, and why.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::model::NONE;
use crate::objective::{Objective, TermVec};
use crate::plan::Plan;
use crate::search::{SearchStats, StopReason};
use crate::state::State;
use crate::{Engine, Outcome, RunStats, SolveOptions};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MoveWhy {
    /// Not in the previous plan (a late admission, or unplaced before).
    New,
    /// The previous bed is gone, out of service, reserved, or now breaks a hard rule.
    BedGone,
    /// Pinned by the office to a new bed.
    Pinned,
    /// Moving gains more than the threshold; `gain` is what moving back would cost now.
    Improvement { gain: f64, terms: Objective },
    /// Moved as part of a chain of improvements (its old bed is taken by another moved student).
    Chain,
    /// Had a bed, now has none.
    LostBed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentMove {
    pub student: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub why: MoveWhy,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanDiff {
    pub moves: Vec<StudentMove>,
    /// Students of the previous plan no longer in the intake (withdrawals).
    pub removed: Vec<String>,
    /// Students who kept their bed.
    pub kept: usize,
}

/// Descent iterations per student: a local polish, not a new plan.
const DESCENT_PER_STUDENT: u64 = 200;

impl Engine {
    /// Re-solve from `previous`, moving a student off their bed only when it gains more than
    /// `threshold` (in objective units).
    pub fn resolve(&self, previous: &Plan, threshold: f64, opts: &SolveOptions) -> Outcome {
        let start = Instant::now();
        let deadline = start + opts.time_limit;
        let m = &self.model;
        let mut st = State::empty(m);
        // Pins first, as in every run.
        for s in 0..m.n_students {
            if m.pin[s] != NONE {
                st.apply_move(s, m.pin[s] as usize);
            }
        }
        // The previous bed of each student, if it still exists.
        let mut prev = vec![NONE; m.n_students];
        let mut removed = Vec::new();
        for p in &previous.placements {
            match m.student_index.get(&p.student) {
                Some(&s) => prev[s as usize] = m.bed_index.get(&p.bed).copied().unwrap_or(NONE - 1),
                None => removed.push(p.student.clone()),
            }
        }
        let mut why: Vec<Option<MoveWhy>> = vec![None; m.n_students];
        for s in 0..m.n_students {
            if m.pin[s] != NONE || m.pin_problem[s].is_some() {
                continue;
            }
            let b = prev[s];
            if b == NONE {
                why[s] = Some(MoveWhy::New);
            } else if b == NONE - 1 || !st.can_take(s, b as usize, NONE) || st.occupant[b as usize] != NONE {
                why[s] = Some(MoveWhy::BedGone);
            } else {
                st.apply_move(s, b as usize);
            }
        }
        // Best insertion for newcomers and the displaced: accessibility needs first.
        let mut waiting: Vec<usize> = (0..m.n_students).filter(|&s| why[s].is_some()).collect();
        waiting.sort_by_key(|&s| (!m.needs_accessible[s], s));
        for &s in &waiting {
            let best = m.pool_beds[m.pool(s)]
                .iter()
                .map(|&b| b as usize)
                .filter(|&b| st.occupant[b] == NONE && st.can_take(s, b, NONE))
                .map(|b| (st.move_delta(s, b).total(), b))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if let Some((_, b)) = best {
                st.apply_move(s, b);
            }
        }
        let constructed = st.cost.to_objective();
        let construction_secs = start.elapsed().as_secs_f64();

        // Anchor: the bed a kept student should stay on (NONE for newcomers and the displaced).
        let anchor: Vec<u32> =
            (0..m.n_students).map(|s| if why[s].is_none() && m.pin[s] == NONE { prev[s] } else { NONE }).collect();
        let search_start = Instant::now();
        let mut stats = SearchStats::default();
        let mut stopped = StopReason::Finished;
        let penalty = |s: usize, bed: usize| if anchor[s] != NONE && anchor[s] as usize != bed { threshold } else { 0.0 };
        let movable: Vec<usize> = (0..m.n_students).filter(|&s| st.is_placed(s) && m.pin[s] == NONE).collect();
        if !movable.is_empty() {
            let mut rng = fastrand::Rng::with_seed(opts.seed);
            let budget = opts.iterations.unwrap_or(DESCENT_PER_STUDENT * m.n_students as u64);
            for it in 0..budget {
                if it % 4096 == 0 {
                    if Instant::now() >= deadline {
                        stopped = StopReason::TimeLimit;
                        break;
                    }
                    if opts.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
                        stopped = StopReason::Cancelled;
                        break;
                    }
                }
                stats.iterations += 1;
                let s = movable[rng.u32(..movable.len() as u32) as usize];
                let pool = &m.pool_beds[m.pool(s)];
                let b = pool[rng.u32(..pool.len() as u32) as usize] as usize;
                let bs = st.bed_of[s] as usize;
                if m.bed_room[b] == m.bed_room[bs] {
                    continue;
                }
                let t = st.occupant[b];
                if t == NONE {
                    if !st.can_take(s, b, NONE) {
                        continue;
                    }
                    stats.evaluations += 1;
                    let d = st.move_delta(s, b).total() + penalty(s, b) - penalty(s, bs);
                    if d < -1e-9 {
                        st.apply_move(s, b);
                        stats.accepted += 1;
                    }
                } else {
                    let t = t as usize;
                    if m.pin[t] != NONE || !m.bed_fits(t, bs) || !st.can_take(s, b, t as u32) || !st.can_take(t, bs, s as u32) {
                        continue;
                    }
                    stats.evaluations += 1;
                    let d = st.swap_delta(s, t).total() + penalty(s, b) - penalty(s, bs) + penalty(t, bs) - penalty(t, b);
                    if d < -1e-9 {
                        st.apply_swap(s, t);
                        stats.accepted += 1;
                    }
                }
            }
        }
        // Walk back every move that gains no more than the threshold, until none is left.
        loop {
            let mut changed = false;
            for s in 0..m.n_students {
                if let Some((back, returned)) = walk_back(&st, &anchor, s) {
                    // A hair above the threshold, so rounding in the running total cannot keep a
                    // move that an exact recount would call worthless.
                    if back.total() <= threshold * f64::from(returned) + 1e-9 {
                        undo_move(&mut st, &anchor, s);
                        changed = true;
                    }
                }
            }
            if !changed || Instant::now() >= deadline {
                break;
            }
        }
        let search_secs = search_start.elapsed().as_secs_f64();

        let bed_name = |b: u32| -> Option<String> {
            if b >= NONE - 1 {
                return None;
            }
            let r = m.bed_room[b as usize] as usize;
            Some(self.instance.rooms[r].beds[(b - m.room_bed_start[r]) as usize].id.clone())
        };
        let mut diff = PlanDiff { removed, ..PlanDiff::default() };
        for s in 0..m.n_students {
            let now = st.bed_of[s];
            let before = prev[s];
            if now == before {
                diff.kept += 1;
                continue;
            }
            let reason = if now == NONE {
                MoveWhy::LostBed
            } else if m.pin[s] != NONE {
                MoveWhy::Pinned
            } else if let Some(w) = why[s].clone() {
                w
            } else {
                match walk_back(&st, &anchor, s) {
                    Some((back, _)) => MoveWhy::Improvement { gain: back.total(), terms: back.to_objective() },
                    None => MoveWhy::Chain,
                }
            };
            let student = self.instance.students[s].id.clone();
            // Unplaced before and still unplaced: nothing to show.
            if before == NONE && now == NONE {
                diff.kept += 1;
                continue;
            }
            diff.moves.push(StudentMove { student, from: bed_name(before), to: bed_name(now), why: reason });
        }
        self.outcome(
            &st,
            RunStats { construction_secs, search_secs, search: stats, stopped, constructed: constructed.clone() },
            Some(diff),
        )
    }
}

/// The objective change of putting moved student `s` back on their anchor bed, if the hard rules
/// allow it directly: onto the free bed, or by trading with whoever took it when that is a
/// newcomer (no anchor) or a kept student whose own old bed `s` holds (both go home). Also says
/// how many kept students would return, since each return saves one threshold.
pub(crate) fn walk_back(st: &State<'_>, anchor: &[u32], s: usize) -> Option<(TermVec, u32)> {
    let m = st.m;
    let a = anchor[s];
    if a == NONE || st.bed_of[s] == a || st.bed_of[s] == NONE {
        return None;
    }
    let a = a as usize;
    let t = st.occupant[a];
    if t == NONE {
        return st.can_take(s, a, NONE).then(|| (st.move_delta(s, a), 1));
    }
    let t = t as usize;
    let bs = st.bed_of[s] as usize;
    let returned = if anchor[t] == NONE {
        1
    } else if anchor[t] as usize == bs {
        2
    } else {
        return None;
    };
    // The same room counts too: a student moved to another bed of their own room for nothing
    // goes back to their own bed.
    let swappable = m.pin[t] == NONE && m.bed_fits(t, bs) && st.can_take(s, a, t as u32) && st.can_take(t, bs, s as u32);
    swappable.then(|| (st.swap_delta(s, t), returned))
}

fn undo_move(st: &mut State<'_>, anchor: &[u32], s: usize) {
    let a = anchor[s] as usize;
    match st.occupant[a] {
        NONE => {
            st.apply_move(s, a);
        }
        t => {
            st.apply_swap(s, t as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::generate;
    use crate::{Engine, MoveWhy, SolveOptions};

    #[test]
    fn re_solving_an_unchanged_intake_moves_nobody() {
        let engine = Engine::new(generate::instance(300, 11)).unwrap();
        let opts = SolveOptions { iterations: Some(100_000), ..Default::default() };
        let out = engine.solve(&opts);
        let again = engine.resolve(&out.plan, 0.5, &opts);
        let diff = again.diff.unwrap();
        assert!(
            diff.moves.iter().all(|m| match m.why {
                MoveWhy::Improvement { gain, .. } => gain > 0.5,
                MoveWhy::Chain => true,
                _ => false,
            }),
            "only moves worth the threshold: {:?}",
            diff.moves
        );
        assert!(again.objective.total <= out.objective.total + 1e-6, "a re-solve never makes the plan worse");
    }

    #[test]
    fn withdrawals_and_late_admissions_are_in_the_diff() {
        let base = generate::instance(300, 12);
        let engine = Engine::new(base.clone()).unwrap();
        let opts = SolveOptions { iterations: Some(100_000), ..Default::default() };
        let out = engine.solve(&opts);
        // Two withdraw, a room goes out of service, a late student arrives.
        let mut next = base.clone();
        let gone: Vec<String> = next.students.drain(..2).map(|s| s.id).collect();
        for s in &mut next.students {
            s.requests.retain(|r| !gone.contains(r));
            s.avoid.retain(|r| !gone.contains(r));
        }
        let closed = out.plan.placements[10].room.clone();
        let room = next.rooms.iter_mut().find(|r| r.id == closed).unwrap();
        for b in &mut room.beds {
            b.out_of_service = true;
        }
        let mut late = next.students[5].clone();
        late.id = "24999901".into();
        late.requests.clear();
        late.avoid.clear();
        next.students.push(late);
        let engine2 = Engine::new(next).unwrap();
        let again = engine2.resolve(&out.plan, 2.0, &opts);
        assert!(engine2.violations(&again.plan).is_empty());
        let diff = again.diff.unwrap();
        assert_eq!(diff.removed, gone);
        assert!(diff.moves.iter().any(|m| m.student == "24999901" && m.why == MoveWhy::New));
        let displaced = out.plan.placements.iter().filter(|p| p.room == closed && !gone.contains(&p.student)).count();
        assert_eq!(diff.moves.iter().filter(|m| m.why == MoveWhy::BedGone).count(), displaced);
    }
}
