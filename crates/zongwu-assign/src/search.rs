//! Local search on the constructed plan: simulated annealing over moves, swaps and group moves.
//!
//! Each iteration picks a student and a target bed, either at random from the beds the student
//! may take, or guided toward a classmate or a requested roommate (most good moves are of that
//! kind, and guiding them is what lets a few seconds suffice for 10,000 students). An empty
//! target is a move, an occupied one a swap. Two compound moves cover what single steps cannot
//! reach without passing through worse plans: moving a request group (a student with the partners
//! who share the room) into another room, and exchanging the whole contents of two rooms (which
//! moves a class between floors).
//!
//! The schedule is counted in iterations, not seconds, so a seed gives the same plan on any
//! machine and under any load; the time limit and the cancel flag only cut the run short.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::model::NONE;
use crate::objective::TermVec;
use crate::state::State;

/// Where a run stands, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub iteration: u64,
    pub iterations: u64,
    pub objective: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The iteration budget was used up: the result is the one the seed determines.
    Finished,
    TimeLimit,
    Cancelled,
}

#[derive(Clone, Copy)]
pub(crate) struct Params<'a> {
    pub iterations: u64,
    pub deadline: Instant,
    pub seed: u64,
    pub t_start: f64,
    pub t_end: f64,
    pub cancel: Option<&'a AtomicBool>,
    pub progress: Option<&'a (dyn Fn(Progress) + Send + Sync)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchStats {
    pub iterations: u64,
    /// Candidate moves whose score delta was computed.
    pub evaluations: u64,
    pub accepted: u64,
}

/// How often the loop looks at the clock, the cancel flag and the progress callback.
const CHECK_EVERY: u64 = 1 << 14;
/// How often the temperature follows the schedule (often enough for short runs on tiny intakes).
const TEMP_EVERY: u64 = 1 << 8;

#[derive(Clone, Copy)]
enum Op {
    Move { s: u32, from: u32 },
    Swap { s: u32, t: u32 },
}

fn undo(st: &mut State<'_>, log: &[Op]) {
    for op in log.iter().rev() {
        match *op {
            Op::Move { s, from } => {
                st.apply_move(s as usize, from as usize);
            }
            Op::Swap { s, t } => {
                st.apply_swap(s as usize, t as usize);
            }
        }
    }
}

/// Small intakes get several annealing rounds, each restarting from the best plan so far: their
/// budget is large relative to their size, and a reheat escapes the traps a single cooling leaves.
pub(crate) fn anneal_rounds(st: &mut State<'_>, p: &Params<'_>) -> (SearchStats, StopReason) {
    let m = st.m;
    let rounds: u64 = if m.n_students <= 200 { 8 } else { 1 };
    let mut total = SearchStats::default();
    let mut best = (st.cost.total(), st.bed_of.clone());
    for round in 0..rounds {
        let params = Params { iterations: p.iterations / rounds, seed: p.seed.wrapping_add(round), ..*p };
        let (stats, stopped) = anneal(st, &params);
        total.iterations += stats.iterations;
        total.evaluations += stats.evaluations;
        total.accepted += stats.accepted;
        if st.cost.total() < best.0 - 1e-9 {
            best = (st.cost.total(), st.bed_of.clone());
        } else if rounds > 1 {
            *st = State::from_beds(m, &best.1);
        }
        if stopped != StopReason::Finished {
            return (total, stopped);
        }
    }
    (total, StopReason::Finished)
}

pub(crate) fn anneal(st: &mut State<'_>, p: &Params<'_>) -> (SearchStats, StopReason) {
    let m = st.m;
    let movable: Vec<u32> = (0..m.n_students as u32).filter(|&s| st.is_placed(s as usize) && m.pin[s as usize] == NONE).collect();
    let mut stats = SearchStats::default();
    if movable.is_empty() || p.iterations == 0 {
        return (stats, StopReason::Finished);
    }
    let mut rng = fastrand::Rng::with_seed(p.seed);
    let ratio = (p.t_end / p.t_start).ln();
    let mut temp = p.t_start;
    let mut log: Vec<Op> = Vec::with_capacity(16);
    for it in 0..p.iterations {
        if it % CHECK_EVERY == 0 {
            if Instant::now() >= p.deadline {
                return (stats, StopReason::TimeLimit);
            }
            if p.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return (stats, StopReason::Cancelled);
            }
            if let Some(f) = p.progress {
                f(Progress { iteration: it, iterations: p.iterations, objective: st.cost.total() });
            }
        }
        if it % TEMP_EVERY == 0 {
            temp = p.t_start * (ratio * it as f64 / p.iterations as f64).exp();
        }
        stats.iterations += 1;
        let s = movable[rng.u32(..movable.len() as u32) as usize] as usize;
        let kind = rng.u32(..100);
        let accept = |d: f64, rng: &mut fastrand::Rng| d <= 0.0 || rng.f64() < (-d / temp).exp();
        if kind < 4 {
            // Compound moves: apply, look at the total change, keep or roll back.
            log.clear();
            let target = if kind == 3 {
                // Emptying a room: any room of the student's pool may have the space.
                let pool = &m.pool_beds[m.pool(s)];
                Some(m.bed_room[pool[rng.u32(..pool.len() as u32) as usize] as usize] as usize)
            } else {
                guided_room(st, s, &mut rng)
            };
            let Some(b) = target else { continue };
            let done = match kind {
                0 | 1 => exchange_rooms(st, st.room_of[s] as usize, b, &mut log),
                2 => move_group(st, s, b, false, &mut log),
                _ => move_group(st, s, b, true, &mut log),
            };
            let Some(d) = done else { continue };
            stats.evaluations += 1;
            if accept(d.total(), &mut rng) {
                stats.accepted += 1;
            } else {
                undo(st, &log);
            }
            continue;
        }
        let b = if kind < 55 {
            match guided_room(st, s, &mut rng) {
                Some(r) => {
                    let beds = m.room_bed_start[r]..m.room_bed_start[r + 1];
                    (beds.start + rng.u32(..beds.end - beds.start)) as usize
                }
                None => continue,
            }
        } else {
            let pool = &m.pool_beds[m.pool(s)];
            pool[rng.u32(..pool.len() as u32) as usize] as usize
        };
        if m.bed_room[b] == st.room_of[s] || !m.bed_fits(s, b) {
            continue;
        }
        let t = st.occupant[b];
        if t == NONE {
            if !st.can_take(s, b, NONE) {
                continue;
            }
            let d = st.move_delta(s, b);
            stats.evaluations += 1;
            if accept(d.total(), &mut rng) {
                st.apply_move(s, b);
                stats.accepted += 1;
            }
        } else {
            let t = t as usize;
            let bs = st.bed_of[s] as usize;
            if m.pin[t] != NONE || !m.bed_fits(t, bs) || !st.can_take(s, b, t as u32) || !st.can_take(t, bs, s as u32) {
                continue;
            }
            let d = st.swap_delta(s, t);
            stats.evaluations += 1;
            if accept(d.total(), &mut rng) {
                st.apply_swap(s, t);
                stats.accepted += 1;
            }
        }
    }
    (stats, StopReason::Finished)
}

/// A room worth trying for `s`: that of a requested roommate (when s has one) or of a classmate.
fn guided_room(st: &State<'_>, s: usize, rng: &mut fastrand::Rng) -> Option<usize> {
    let m = st.m;
    let links = m.links_of(s);
    let other = if !links.is_empty() && rng.bool() {
        links[rng.u32(..links.len() as u32) as usize].partner as usize
    } else {
        let mates = m.class_of(m.keys[s].class as usize);
        mates[rng.u32(..mates.len() as u32) as usize] as usize
    };
    let r = st.room_of[other];
    (r != NONE && r != st.room_of[s]).then_some(r as usize)
}

/// Exchange everyone in rooms `a` and `b`. Roommates stay roommates, so anti-requests cannot
/// break; only gender, accessibility and bed counts need checking.
fn exchange_rooms(st: &mut State<'_>, a: usize, b: usize, log: &mut Vec<Op>) -> Option<TermVec> {
    let m = st.m;
    if a == b || m.room_gender[a] != m.room_gender[b] {
        return None;
    }
    let ma: Vec<u32> = st.members(a).to_vec();
    let mb: Vec<u32> = st.members(b).to_vec();
    let movable = |s: &u32| m.pin[*s as usize] == NONE;
    if !ma.iter().all(movable) || !mb.iter().all(movable) {
        return None;
    }
    if ma.len() as u32 > m.room_usable[b] || mb.len() as u32 > m.room_usable[a] {
        return None;
    }
    let needs = |list: &[u32]| list.iter().any(|&s| m.needs_accessible[s as usize]);
    if (needs(&ma) && !m.room_accessible[b]) || (needs(&mb) && !m.room_accessible[a]) {
        return None;
    }
    let mut d = TermVec::default();
    let pairs = ma.len().min(mb.len());
    for i in 0..pairs {
        d += st.apply_swap(ma[i] as usize, mb[i] as usize);
        log.push(Op::Swap { s: ma[i], t: mb[i] });
    }
    for (rest, to) in [(&ma[pairs..], b), (&mb[pairs..], a)] {
        for &s in rest {
            let bed = m.room_beds(to).map(|x| x as usize).find(|&x| m.bed_usable[x] && st.occupant[x] == NONE)?;
            let from = st.bed_of[s as usize];
            d += st.apply_move(s as usize, bed);
            log.push(Op::Move { s, from });
        }
    }
    Some(d)
}

/// Move `s` and the request partners sharing its room (or, with `whole_room`, all of its
/// roommates) into room `b`, trading places with as many of b's occupants as there are no free
/// beds for. The whole-room form is what empties a half-full room in one step.
fn move_group(st: &mut State<'_>, s: usize, b: usize, whole_room: bool, log: &mut Vec<Op>) -> Option<TermVec> {
    let m = st.m;
    let a = st.room_of[s] as usize;
    if a == b || m.room_gender[a] != m.room_gender[b] {
        return None;
    }
    let mut group: Vec<u32> = vec![s as u32];
    if whole_room {
        group.extend(st.members(a).iter().copied().filter(|&o| o as usize != s && m.pin[o as usize] == NONE));
    } else {
        for l in m.links_of(s) {
            if st.room_of[l.partner as usize] as usize == a && m.pin[l.partner as usize] == NONE {
                group.push(l.partner);
            }
        }
    }
    if group.len() < 2 || group.len() as u32 > m.room_usable[b] {
        return None;
    }
    if !m.room_accessible[b] && group.iter().any(|&g| m.needs_accessible[g as usize]) {
        return None;
    }
    let free: Vec<usize> = m.room_beds(b).map(|x| x as usize).filter(|&x| m.bed_usable[x] && st.occupant[x] == NONE).collect();
    let need_out = group.len().saturating_sub(free.len());
    let displaced: Vec<u32> = st.members(b).iter().copied().filter(|&o| m.pin[o as usize] == NONE).take(need_out).collect();
    if displaced.len() < need_out {
        return None;
    }
    if !m.room_accessible[a] && displaced.iter().any(|&o| m.needs_accessible[o as usize]) {
        return None;
    }
    // Anti-requests in the rooms as they will be.
    let stay_b: Vec<u32> = st.members(b).iter().copied().filter(|o| !displaced.contains(o)).collect();
    let stay_a: Vec<u32> = st.members(a).iter().copied().filter(|o| !group.contains(o)).collect();
    let clash = |xs: &[u32], ys: &[u32]| xs.iter().any(|&x| ys.iter().any(|&y| m.avoids(x as usize, y as usize)));
    // The displaced were roommates already and stay together, so only the mixed pairs can clash.
    if clash(&group, &stay_b) || clash(&displaced, &stay_a) {
        return None;
    }
    let mut d = TermVec::default();
    for (i, &g) in group.iter().enumerate() {
        if i < displaced.len() {
            d += st.apply_swap(g as usize, displaced[i] as usize);
            log.push(Op::Swap { s: g, t: displaced[i] });
        } else {
            let bed = free[i - displaced.len()];
            let from = st.bed_of[g as usize];
            d += st.apply_move(g as usize, bed);
            log.push(Op::Move { s: g, from });
        }
    }
    Some(d)
}
