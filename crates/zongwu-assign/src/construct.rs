//! The first feasible plan, fast, and already close to what the office wants.
//!
//! Pins go first. Then students with accessibility needs, into accessible rooms, because those
//! beds are the scarcest. Everyone else is placed as *units*: a group of mutual requests (kept
//! together when a room can hold it) or a single student, sorted by college, major and class, and
//! poured into rooms in building and floor order. A class thus lands in neighbouring rooms on one
//! floor, which is most of the objective before the local search starts. Students the greedy
//! pass could not place because of anti-requests get a second chance by ejecting someone into a
//! free bed elsewhere; those still left are reported with the rule that stopped them.
//!
//! [`plain_fill`] is the baseline the optimised plan is measured against: the admissions list in
//! its own order, each student into the first bed that the hard rules allow.

use std::time::Instant;

use crate::model::{Model, PinProblem, NONE};
use crate::plan::UnplacedReason;
use crate::state::State;

/// Union-find over student indices, for mutual-request groups.
struct Groups {
    parent: Vec<u32>,
}

impl Groups {
    fn find(&mut self, x: usize) -> usize {
        let mut x = x;
        while self.parent[x] as usize != x {
            let p = self.parent[x] as usize;
            self.parent[x] = self.parent[p];
            x = p;
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index is the root, so the result does not depend on union order.
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.parent[hi] = lo as u32;
        }
    }
}

fn place_pins(st: &mut State<'_>) {
    let m = st.m;
    for s in 0..m.n_students {
        if m.pin[s] != NONE {
            st.apply_move(s, m.pin[s] as usize);
        }
    }
}

/// Mutual-request groups among the students not yet placed, each small enough for a room and
/// free of anti-requests, in a deterministic order.
fn units(m: &Model, st: &State<'_>) -> Vec<Vec<u32>> {
    let mut g = Groups { parent: (0..m.n_students as u32).collect() };
    let free = |s: usize| !st.is_placed(s) && m.pin_problem[s].is_none();
    for s in 0..m.n_students {
        if !free(s) {
            continue;
        }
        for l in m.links_of(s) {
            let p = l.partner as usize;
            if l.mutual && free(p) && m.gender[p] == m.gender[s] && !m.avoids(s, p) {
                g.union(s, p);
            }
        }
    }
    let mut comps: Vec<Vec<u32>> = vec![Vec::new(); m.n_students];
    for s in 0..m.n_students {
        if free(s) {
            let r = g.find(s);
            comps[r].push(s as u32);
        }
    }
    let max_room = m.room_usable.iter().copied().max().unwrap_or(0).max(1) as usize;
    let mut out = Vec::new();
    for comp in comps.into_iter().filter(|c| !c.is_empty()) {
        if comp.len() == 1 {
            out.push(comp);
            continue;
        }
        // Walk the group along its request links so partners stay adjacent, then cut it into
        // pieces a room can hold, starting a new piece at an anti-request.
        let mut order = Vec::with_capacity(comp.len());
        let mut seen = vec![false; comp.len()];
        for start in 0..comp.len() {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut queue = vec![comp[start]];
            let mut qi = 0;
            while qi < queue.len() {
                let s = queue[qi] as usize;
                qi += 1;
                order.push(s as u32);
                for l in m.links_of(s) {
                    if let Some(pos) = comp.iter().position(|&c| c == l.partner) {
                        if !seen[pos] && l.mutual {
                            seen[pos] = true;
                            queue.push(l.partner);
                        }
                    }
                }
            }
        }
        let mut piece: Vec<u32> = Vec::new();
        for s in order {
            let clash = piece.iter().any(|&o| m.avoids(s as usize, o as usize));
            if piece.len() >= max_room || clash {
                out.push(std::mem::take(&mut piece));
            }
            piece.push(s);
        }
        out.push(piece);
    }
    // Scarce beds first (accessibility), then by college, major, class; bigger groups before
    // singles of the same class so they find whole rooms.
    out.sort_by_key(|u| {
        let needs = u.iter().any(|&s| m.needs_accessible[s as usize]);
        let k = m.keys[u[0] as usize];
        (!needs, m.gender[u[0] as usize], k.college, k.major, k.class, std::cmp::Reverse(u.len()), u[0])
    });
    out
}

/// Rooms in the order a unit looks for space: by floor (area, building, floor as the office
/// listed them), then room.
fn room_order(m: &Model, accessible_only: bool) -> Vec<u32> {
    let mut rooms: Vec<u32> = (0..m.n_rooms as u32).filter(|&r| !accessible_only || m.room_accessible[r as usize]).collect();
    // Accessible rooms go last for everyone else, so their beds stay free for those who need them.
    rooms.sort_by_key(|&r| (!accessible_only && m.room_accessible[r as usize], m.room_floor[r as usize], r));
    rooms
}

fn free_beds<'a>(st: &'a State<'_>, r: usize) -> impl Iterator<Item = usize> + 'a {
    st.m.room_beds(r).map(|b| b as usize).filter(|&b| st.m.bed_usable[b] && st.occupant[b] == NONE)
}

fn room_accepts(st: &State<'_>, unit: &[u32], r: usize) -> bool {
    let m = st.m;
    if m.room_gender[r] != m.gender[unit[0] as usize] {
        return false;
    }
    if unit.iter().any(|&s| m.needs_accessible[s as usize]) && !m.room_accessible[r] {
        return false;
    }
    if free_beds(st, r).count() < unit.len() {
        return false;
    }
    unit.iter().all(|&s| st.members(r).iter().all(|&o| !m.avoids(s as usize, o as usize)))
}

fn put_unit(st: &mut State<'_>, unit: &[u32], r: usize) {
    for &s in unit {
        let b = free_beds(st, r).next().expect("room_accepts checked the free beds");
        st.apply_move(s as usize, b);
    }
}

/// The greedy construction. Returns the state; unplaced students are those without a bed.
pub(crate) fn construct<'m>(m: &'m Model, deadline: Instant) -> State<'m> {
    let mut st = State::empty(m);
    place_pins(&mut st);
    let units = units(m, &st);
    let orders = [room_order(m, false), room_order(m, true)];
    // One cursor per (gender, accessible-only) order: rooms before it are full.
    let mut cursors = [[0usize; 2]; 2];
    let mut leftovers: Vec<u32> = Vec::new();
    for unit in &units {
        let needs = unit.iter().any(|&s| m.needs_accessible[s as usize]);
        let order = &orders[usize::from(needs)];
        let g = m.gender[unit[0] as usize] as usize;
        let cursor = &mut cursors[g][usize::from(needs)];
        // Prefer the room of a partner already placed (a pinned friend).
        let partner_room = unit.iter().flat_map(|&s| m.links_of(s as usize)).find_map(|l| {
            let r = st.room_of[l.partner as usize];
            (r != NONE && room_accepts(&st, unit, r as usize)).then_some(r as usize)
        });
        if let Some(r) = partner_room {
            put_unit(&mut st, unit, r);
            continue;
        }
        while *cursor < order.len() {
            let r = order[*cursor] as usize;
            if m.room_gender[r] as usize == g && free_beds(&st, r).next().is_some() {
                break;
            }
            *cursor += 1;
        }
        let found = order[(*cursor).min(order.len())..].iter().map(|&r| r as usize).find(|&r| room_accepts(&st, unit, r));
        match found {
            Some(r) => put_unit(&mut st, unit, r),
            None if unit.len() > 1 => {
                // No room holds the whole group: its members go one by one.
                for &s in unit {
                    let single = [s];
                    match order.iter().map(|&r| r as usize).find(|&r| room_accepts(&st, &single, r)) {
                        Some(r) => put_unit(&mut st, &single, r),
                        None => leftovers.push(s),
                    }
                }
            }
            None => leftovers.push(unit[0]),
        }
    }
    for s in leftovers {
        if Instant::now() >= deadline {
            break;
        }
        eject_for(&mut st, s as usize);
    }
    st
}

/// Place `s`, blocked only by anti-requests, by moving one occupant of a room it could enter into
/// a free bed elsewhere.
fn eject_for(st: &mut State<'_>, s: usize) -> bool {
    let m = st.m;
    let pool = &m.pool_beds[m.pool(s)];
    if let Some(&b) = pool.iter().find(|&&b| st.occupant[b as usize] == NONE && st.can_take(s, b as usize, NONE)) {
        st.apply_move(s, b as usize);
        return true;
    }
    for &b in pool {
        let b = b as usize;
        let t = st.occupant[b];
        if t == NONE || m.pin[t as usize] != NONE || !st.can_take(s, b, t) {
            continue;
        }
        let t = t as usize;
        let target = m.pool_beds[m.pool(t)]
            .iter()
            .map(|&b2| b2 as usize)
            .find(|&b2| st.occupant[b2] == NONE && m.bed_room[b2] != m.bed_room[b] && st.can_take(t, b2, NONE));
        if let Some(b2) = target {
            st.apply_move(t, b2);
            st.apply_move(s, b);
            return true;
        }
    }
    false
}

/// Why an unplaced student has no bed, judged against the final state.
pub(crate) fn reason(st: &State<'_>, s: usize) -> UnplacedReason {
    let m = st.m;
    if let Some(p) = m.pin_problem[s] {
        return match p {
            PinProblem::BedUnusable => UnplacedReason::PinBedUnusable,
            PinProblem::WrongGender => UnplacedReason::PinWrongGender,
            PinProblem::NotAccessible => UnplacedReason::PinNotAccessible,
            PinProblem::BedTaken => UnplacedReason::PinBedTaken,
            PinProblem::Avoided => UnplacedReason::PinAvoided,
        };
    }
    let any_free = m.pool_beds[m.pool(s)].iter().any(|&b| st.occupant[b as usize] == NONE);
    match (any_free, m.needs_accessible[s]) {
        (true, _) => UnplacedReason::AvoidConflict,
        (false, true) => UnplacedReason::NoAccessibleBed,
        (false, false) => UnplacedReason::NoBedForGender,
    }
}

/// The baseline: pins, then students with accessibility needs, then everyone in list order, each
/// into the first free bed the hard rules allow. No grouping, no requests, no search.
pub(crate) fn plain_fill(m: &Model) -> State<'_> {
    let mut st = State::empty(m);
    place_pins(&mut st);
    let mut order: Vec<usize> = (0..m.n_students).filter(|&s| !st.is_placed(s) && m.pin_problem[s].is_none()).collect();
    order.sort_by_key(|&s| !m.needs_accessible[s]);
    let mut cursor = [0usize; 4];
    for s in order {
        let pool = &m.pool_beds[m.pool(s)];
        let c = &mut cursor[m.pool(s)];
        while *c < pool.len() && st.occupant[pool[*c] as usize] != NONE {
            *c += 1;
        }
        if let Some(&b) = pool[*c..].iter().find(|&&b| st.occupant[b as usize] == NONE && st.can_take(s, b as usize, NONE)) {
            st.apply_move(s, b as usize);
        }
    }
    st
}
