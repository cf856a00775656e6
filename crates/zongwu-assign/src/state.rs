//! A live assignment with the per-room aggregates that make a move's score delta cheap.
//!
//! Every soft term is a sum over roommate pairs, rooms, floors or request links, so the change a
//! move makes touches only the two rooms (and floors) involved. Each room keeps its members and,
//! per lifestyle feature, the count, sum and sum of squares of its members' answers: the total
//! squared difference between a student and a room is then `n·x² − 2x·Σx + Σx²`, whatever the
//! room size. Class, major, college and province are compared by scanning the room's members
//! (at most a handful). So a move or swap delta is O(room size), and the search can afford
//! millions of them per second.
//!
//! The state never holds a hard-rule violation: callers check [`State::can_take`] (or build a
//! compound move from checked steps) before applying. [`evaluate`] recomputes the objective
//! from scratch, pair by pair, and is what tests compare the incremental total against.

use crate::model::{life_mismatch, Keys, Model, FEATURES, FEATURE_WEIGHTS, NONE};
use crate::objective::{Term, TermVec, UNPLACED_WEIGHT};

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LifeAgg {
    n: [f64; FEATURES],
    s1: [f64; FEATURES],
    s2: [f64; FEATURES],
}

#[derive(Debug, Clone)]
pub(crate) struct State<'m> {
    pub m: &'m Model,
    pub bed_of: Vec<u32>,
    pub room_of: Vec<u32>,
    pub occupant: Vec<u32>,
    /// Room r's members are `members[room_bed_start[r]..][..count[r]]`.
    members: Vec<u32>,
    /// The members' grouping keys, parallel to `members`, so a room scan reads one cache line
    /// instead of chasing each member's keys across the student array.
    member_keys: Vec<Keys>,
    pub count: Vec<u32>,
    life: Vec<LifeAgg>,
    /// Students of class c on floor f: `floor_class[f * n_classes + c]`.
    floor_class: Vec<u32>,
    /// Placed students per class: a class's first floor is free, each further floor costs.
    class_placed: Vec<u32>,
    pub cost: TermVec,
}

/// Room-level counts of how a student relates to a room's members.
#[derive(Debug, Clone, Copy, Default)]
struct Fit {
    other_class: f64,
    other_major: f64,
    other_college: f64,
    same_province: f64,
}

impl<'m> State<'m> {
    /// Everyone unplaced; the cost is the unplaced term alone.
    pub fn empty(m: &'m Model) -> State<'m> {
        let mut cost = TermVec::default();
        cost.add_to(Term::Unplaced, UNPLACED_WEIGHT * m.n_students as f64);
        // With nobody placed every request is unmet; each link is stored on both sides.
        for s in 0..m.n_students {
            for l in m.links_of(s).iter().filter(|l| (l.partner as usize) > s) {
                cost.add_to(if l.mutual { Term::MutualRequests } else { Term::OneWayRequests }, l.weight);
            }
        }
        State {
            m,
            bed_of: vec![NONE; m.n_students],
            room_of: vec![NONE; m.n_students],
            occupant: vec![NONE; m.n_beds],
            members: vec![NONE; m.n_beds],
            member_keys: vec![Keys { class: NONE, major: NONE, college: NONE, province: NONE }; m.n_beds],
            count: vec![0; m.n_rooms],
            life: vec![LifeAgg::default(); m.n_rooms],
            floor_class: vec![0; m.n_floors * m.n_classes],
            class_placed: vec![0; m.n_classes],
            cost,
        }
    }

    pub fn members(&self, r: usize) -> &[u32] {
        let start = self.m.room_bed_start[r] as usize;
        &self.members[start..start + self.count[r] as usize]
    }

    pub fn is_placed(&self, s: usize) -> bool {
        self.bed_of[s] != NONE
    }

    /// Hard rules for `s` entering room r's bed b, with `leaving` (if any) moving out of r.
    /// Bed capacity is the caller's business (b is free, or `leaving` holds it).
    pub fn can_take(&self, s: usize, b: usize, leaving: u32) -> bool {
        if !self.m.bed_fits(s, b) {
            return false;
        }
        let r = self.m.bed_room[b] as usize;
        if self.m.avoid_of(s).is_empty() {
            return true;
        }
        self.members(r).iter().all(|&o| o == leaving || o as usize == s || !self.m.avoids(s, o as usize))
    }

    /// Sum of squared lifestyle differences between s and the members of r, weighted per feature.
    /// A member equal to s adds nothing, so it does not matter whether s is in r.
    fn life_with(&self, s: usize, r: usize) -> f64 {
        let a = &self.life[r];
        let mask = self.m.life_mask[s];
        let x = &self.m.life[s];
        let mut sum = 0.0;
        for f in 0..FEATURES {
            if mask & (1 << f) != 0 {
                sum += FEATURE_WEIGHTS[f] * (a.n[f] * x[f] * x[f] - 2.0 * x[f] * a.s1[f] + a.s2[f]);
            }
        }
        sum
    }

    fn fit(&self, s: usize, r: usize, exclude: u32) -> Fit {
        let k = self.m.keys[s];
        let start = self.m.room_bed_start[r] as usize;
        let n = self.count[r] as usize;
        let (mut class, mut major, mut college, mut province, mut others) = (0u32, 0u32, 0u32, 0u32, 0u32);
        for (&o, ko) in self.members[start..start + n].iter().zip(&self.member_keys[start..start + n]) {
            if o == exclude || o as usize == s {
                continue;
            }
            others += 1;
            class += u32::from(ko.class == k.class);
            major += u32::from(ko.major == k.major);
            college += u32::from(ko.college == k.college);
            province += u32::from(ko.province == k.province);
        }
        Fit {
            other_class: f64::from(others - class),
            other_major: f64::from(others - major),
            other_college: f64::from(others - college),
            same_province: f64::from(province),
        }
    }

    fn add_fit(&self, d: &mut TermVec, fit: Fit, sign: f64) {
        let w = &self.m.weights;
        d.add_to(Term::SameClass, sign * w.same_class * fit.other_class);
        d.add_to(Term::SameMajor, sign * w.same_major * fit.other_major);
        d.add_to(Term::SameCollege, sign * w.same_college * fit.other_college);
        d.add_to(Term::ProvinceMix, sign * w.province_mix * fit.same_province);
    }

    fn floor_count(&self, f: usize, s: usize) -> u32 {
        self.floor_class[f * self.m.n_classes + self.m.keys[s].class as usize]
    }

    /// Change of the objective if `s` moves to the free bed `b` (or is placed there when unplaced).
    pub fn move_delta(&self, s: usize, b: usize) -> TermVec {
        let m = self.m;
        let w = &m.weights;
        let mut d = TermVec::default();
        let from = self.room_of[s];
        let to = m.bed_room[b];
        if from == to {
            return d;
        }
        let to = to as usize;
        if from == NONE {
            d.add_to(Term::Unplaced, -UNPLACED_WEIGHT);
        } else {
            let a = from as usize;
            self.add_fit(&mut d, self.fit(s, a, NONE), -1.0);
            d.add_to(Term::Lifestyle, -w.lifestyle * self.life_with(s, a));
            let ca = self.count[a];
            let ua = m.room_usable[a];
            // Empty beds in occupied rooms: leaving the last bed empties the room entirely.
            let before = ua.saturating_sub(ca);
            let after = if ca == 1 { 0 } else { ua.saturating_sub(ca - 1) };
            d.add_to(Term::HalfEmpty, w.half_empty * (f64::from(after) - f64::from(before)));
        }
        self.add_fit(&mut d, self.fit(s, to, NONE), 1.0);
        d.add_to(Term::Lifestyle, w.lifestyle * self.life_with(s, to));
        let cb = self.count[to];
        let ub = m.room_usable[to];
        let before = if cb == 0 { 0 } else { ub.saturating_sub(cb) };
        let after = ub.saturating_sub(cb + 1);
        d.add_to(Term::HalfEmpty, w.half_empty * (f64::from(after) - f64::from(before)));

        let fb = m.room_floor[to] as usize;
        let fa = if from == NONE { NONE as usize } else { m.room_floor[from as usize] as usize };
        if fa != fb {
            let mut floors = 0.0;
            if fa != NONE as usize && self.floor_count(fa, s) == 1 {
                floors -= 1.0;
            }
            // Entering a new floor costs, unless s is the class's first placed student (its first
            // floor is free).
            let class_elsewhere = from != NONE || self.class_placed[m.keys[s].class as usize] > 0;
            if self.floor_count(fb, s) == 0 && class_elsewhere {
                floors += 1.0;
            }
            d.add_to(Term::FloorClustering, w.floor_clustering * floors);
        }

        for l in m.links_of(s) {
            let rp = self.room_of[l.partner as usize];
            if rp == NONE {
                continue;
            }
            let change = if rp == from {
                l.weight
            } else if rp as usize == to {
                -l.weight
            } else {
                continue;
            };
            d.add_to(if l.mutual { Term::MutualRequests } else { Term::OneWayRequests }, change);
        }
        d
    }

    /// Change of the objective if placed students `s` and `t` trade beds.
    pub fn swap_delta(&self, s: usize, t: usize) -> TermVec {
        let m = self.m;
        let w = &m.weights;
        let mut d = TermVec::default();
        let (a, b) = (self.room_of[s] as usize, self.room_of[t] as usize);
        if a == b {
            return d;
        }
        let (su, tu) = (s as u32, t as u32);
        self.add_fit(&mut d, self.fit(s, a, NONE), -1.0);
        self.add_fit(&mut d, self.fit(s, b, tu), 1.0);
        self.add_fit(&mut d, self.fit(t, b, NONE), -1.0);
        self.add_fit(&mut d, self.fit(t, a, su), 1.0);
        let st = life_mismatch(m, s, t);
        let life = -self.life_with(s, a) + self.life_with(s, b) - self.life_with(t, b) + self.life_with(t, a) - 2.0 * st;
        d.add_to(Term::Lifestyle, w.lifestyle * life);

        let (fa, fb) = (m.room_floor[a] as usize, m.room_floor[b] as usize);
        if fa != fb && m.keys[s].class != m.keys[t].class {
            let mut floors = 0.0;
            for (x, from, to) in [(s, fa, fb), (t, fb, fa)] {
                if self.floor_count(from, x) == 1 {
                    floors -= 1.0;
                }
                if self.floor_count(to, x) == 0 {
                    floors += 1.0;
                }
            }
            d.add_to(Term::FloorClustering, w.floor_clustering * floors);
        }

        for (x, other, from, to) in [(s, tu, a, b), (t, su, b, a)] {
            for l in m.links_of(x) {
                if l.partner == other {
                    continue;
                }
                let rp = self.room_of[l.partner as usize];
                let change = if rp as usize == from {
                    l.weight
                } else if rp as usize == to {
                    -l.weight
                } else {
                    continue;
                };
                d.add_to(if l.mutual { Term::MutualRequests } else { Term::OneWayRequests }, change);
            }
        }
        d
    }

    fn attach(&mut self, s: usize, b: usize) {
        let m = self.m;
        let r = m.bed_room[b] as usize;
        self.bed_of[s] = b as u32;
        self.room_of[s] = r as u32;
        self.occupant[b] = s as u32;
        let start = m.room_bed_start[r] as usize;
        self.members[start + self.count[r] as usize] = s as u32;
        self.member_keys[start + self.count[r] as usize] = m.keys[s];
        self.count[r] += 1;
        let agg = &mut self.life[r];
        for f in 0..FEATURES {
            if m.life_mask[s] & (1 << f) != 0 {
                let x = m.life[s][f];
                agg.n[f] += 1.0;
                agg.s1[f] += x;
                agg.s2[f] += x * x;
            }
        }
        self.floor_class[m.room_floor[r] as usize * m.n_classes + m.keys[s].class as usize] += 1;
        self.class_placed[m.keys[s].class as usize] += 1;
    }

    fn detach(&mut self, s: usize) {
        let m = self.m;
        let b = self.bed_of[s] as usize;
        let r = self.room_of[s] as usize;
        self.bed_of[s] = NONE;
        self.room_of[s] = NONE;
        self.occupant[b] = NONE;
        let start = m.room_bed_start[r] as usize;
        let n = self.count[r] as usize;
        let seg = &mut self.members[start..start + n];
        if let Some(pos) = seg.iter().position(|&o| o as usize == s) {
            seg.swap(pos, n - 1);
            self.member_keys[start..start + n].swap(pos, n - 1);
        }
        self.count[r] -= 1;
        let agg = &mut self.life[r];
        for f in 0..FEATURES {
            if m.life_mask[s] & (1 << f) != 0 {
                let x = m.life[s][f];
                agg.n[f] -= 1.0;
                agg.s1[f] -= x;
                agg.s2[f] -= x * x;
            }
        }
        if self.count[r] == 0 {
            // Clear rounding residue so an empty room is exactly empty.
            *agg = LifeAgg::default();
        }
        self.floor_class[m.room_floor[r] as usize * m.n_classes + m.keys[s].class as usize] -= 1;
        self.class_placed[m.keys[s].class as usize] -= 1;
    }

    /// Move `s` (placed or not) to the free bed `b`; returns the change of the objective.
    pub fn apply_move(&mut self, s: usize, b: usize) -> TermVec {
        debug_assert_eq!(self.occupant[b], NONE);
        let d = self.move_delta(s, b);
        if self.bed_of[s] != NONE {
            self.detach(s);
        }
        self.attach(s, b);
        self.cost += d;
        d
    }

    pub fn apply_swap(&mut self, s: usize, t: usize) -> TermVec {
        let d = self.swap_delta(s, t);
        let (bs, bt) = (self.bed_of[s] as usize, self.bed_of[t] as usize);
        self.detach(s);
        self.detach(t);
        self.attach(s, bt);
        self.attach(t, bs);
        self.cost += d;
        d
    }

    /// Rebuild from a bed per student (NONE for unplaced); the caller has checked the hard rules.
    pub fn from_beds(m: &'m Model, beds: &[u32]) -> State<'m> {
        let mut st = State::empty(m);
        for (s, &b) in beds.iter().enumerate() {
            if b != NONE {
                st.attach(s, b as usize);
            }
        }
        st.cost = evaluate(m, &st.bed_of);
        st
    }
}

/// The objective of a placement, recomputed from scratch pair by pair. Slow and obvious on
/// purpose: it is the reference the incremental deltas are tested against.
pub(crate) fn evaluate(m: &Model, bed_of: &[u32]) -> TermVec {
    let w = &m.weights;
    let mut t = TermVec::default();
    let mut rooms: Vec<Vec<usize>> = vec![Vec::new(); m.n_rooms];
    for (s, &b) in bed_of.iter().enumerate() {
        if b == NONE {
            t.add_to(Term::Unplaced, UNPLACED_WEIGHT);
        } else {
            rooms[m.bed_room[b as usize] as usize].push(s);
        }
    }
    let mut floors_of_class: Vec<Vec<u32>> = vec![Vec::new(); m.n_classes];
    for (r, members) in rooms.iter().enumerate() {
        if !members.is_empty() {
            let empty = m.room_usable[r].saturating_sub(members.len() as u32);
            t.add_to(Term::HalfEmpty, w.half_empty * f64::from(empty));
        }
        for (i, &a) in members.iter().enumerate() {
            floors_of_class[m.keys[a].class as usize].push(m.room_floor[r]);
            for &b in &members[i + 1..] {
                let (ka, kb) = (m.keys[a], m.keys[b]);
                t.add_to(Term::SameClass, w.same_class * f64::from(u8::from(ka.class != kb.class)));
                t.add_to(Term::SameMajor, w.same_major * f64::from(u8::from(ka.major != kb.major)));
                t.add_to(Term::SameCollege, w.same_college * f64::from(u8::from(ka.college != kb.college)));
                t.add_to(Term::ProvinceMix, w.province_mix * f64::from(u8::from(ka.province == kb.province)));
                t.add_to(Term::Lifestyle, w.lifestyle * life_mismatch(m, a, b));
            }
        }
    }
    for mut floors in floors_of_class {
        floors.sort_unstable();
        floors.dedup();
        t.add_to(Term::FloorClustering, w.floor_clustering * floors.len().saturating_sub(1) as f64);
    }
    for s in 0..m.n_students {
        for l in m.links_of(s) {
            let p = l.partner as usize;
            // Each link is stored on both sides; count it once.
            if p < s {
                continue;
            }
            let together =
                bed_of[s] != NONE && bed_of[p] != NONE && m.bed_room[bed_of[s] as usize] == m.bed_room[bed_of[p] as usize];
            if !together {
                t.add_to(if l.mutual { Term::MutualRequests } else { Term::OneWayRequests }, l.weight);
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::model::Model;

    /// Random legal moves and swaps; after each, the running total must equal a recount.
    #[test]
    fn incremental_deltas_match_a_full_recount() {
        let mut inst = generate::instance(400, 21);
        inst.weights.province_mix = 0.7; // exercise every term
        let m = Model::new(&inst).unwrap();
        let mut st = crate::construct::construct(&m, std::time::Instant::now() + std::time::Duration::from_secs(5));
        let exact = evaluate(&m, &st.bed_of);
        assert!((exact.total() - st.cost.total()).abs() < 1e-6, "after construction");
        let mut rng = fastrand::Rng::with_seed(3);
        let mut done = 0;
        for _ in 0..20_000 {
            let s = rng.usize(..m.n_students);
            if !st.is_placed(s) || m.pin[s] != NONE {
                continue;
            }
            let b = rng.usize(..m.n_beds);
            if !m.bed_fits(s, b) || m.bed_room[b] == st.room_of[s] {
                continue;
            }
            let t = st.occupant[b];
            if t == NONE {
                if st.can_take(s, b, NONE) {
                    st.apply_move(s, b);
                    done += 1;
                }
            } else {
                let bs = st.bed_of[s] as usize;
                if m.bed_fits(t as usize, bs) && st.can_take(s, b, t) && st.can_take(t as usize, bs, s as u32) {
                    st.apply_swap(s, t as usize);
                    done += 1;
                }
            }
            if done % 97 == 0 {
                let exact = evaluate(&m, &st.bed_of);
                for term in Term::ALL {
                    assert!(
                        (exact.get(term) - st.cost.get(term)).abs() < 1e-6,
                        "{term:?}: {} vs {}",
                        exact.get(term),
                        st.cost.get(term)
                    );
                }
            }
        }
        assert!(done > 1000, "the test must actually move people ({done})");
    }
}
