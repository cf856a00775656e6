//! The instance compiled into dense indices, built once per run.
//!
//! The search touches millions of candidate moves, so it must never hash a string or walk a map:
//! students, beds, rooms, floors and classes become `u32` indices, requests and anti-requests
//! become flat adjacency lists, and lifestyle answers become numbers in 0..=1. Maps here are
//! `BTreeMap`s used only while building, so nothing depends on hash iteration order.

use std::collections::BTreeMap;

use crate::instance::{Gender, Instance, Lifestyle, Weights};
use crate::InstanceError;

pub(crate) const NONE: u32 = u32::MAX;

/// Lifestyle features, each mapped to 0..=1: bedtime, wake time, smoking, noise, air-con, tidiness.
pub(crate) const FEATURES: usize = 6;
/// How much each feature counts in a pair's mismatch; they sum to 1 so a mismatch is in 0..=1.
/// Bedtime and smoking weigh most: they are what roommates complain about.
pub(crate) const FEATURE_WEIGHTS: [f64; FEATURES] = [0.3, 0.15, 0.25, 0.1, 0.1, 0.1];

/// The grouping keys of one student, packed so a room scan compares four integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Keys {
    pub class: u32,
    pub major: u32,
    pub college: u32,
    pub province: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Link {
    pub partner: u32,
    pub mutual: bool,
    /// This student made the request (always true for a mutual one).
    pub asked: bool,
    /// Cost while the two live apart (the mutual or one-way weight).
    pub weight: f64,
}

/// Which beds a student may take, apart from anti-requests: by gender and accessibility need.
pub(crate) fn pool_of(gender: Gender, needs_accessible: bool) -> usize {
    (gender as usize) * 2 + usize::from(needs_accessible)
}

#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub n_students: usize,
    pub gender: Vec<Gender>,
    pub needs_accessible: Vec<bool>,
    pub keys: Vec<Keys>,
    pub life: Vec<[f64; FEATURES]>,
    /// Bit f set when feature f was answered.
    pub life_mask: Vec<u8>,
    pub links_start: Vec<u32>,
    pub links: Vec<Link>,
    pub avoid_start: Vec<u32>,
    /// Symmetric and sorted per student.
    pub avoid: Vec<u32>,
    /// The pinned bed, if the pin itself can be kept (see `pin_problem`).
    pub pin: Vec<u32>,
    pub pin_problem: Vec<Option<PinProblem>>,

    pub n_beds: usize,
    pub bed_room: Vec<u32>,
    pub bed_usable: Vec<bool>,
    pub n_rooms: usize,
    /// Beds of room r are `room_bed_start[r]..room_bed_start[r + 1]`.
    pub room_bed_start: Vec<u32>,
    pub room_gender: Vec<Gender>,
    pub room_accessible: Vec<bool>,
    pub room_floor: Vec<u32>,
    pub room_usable: Vec<u32>,
    pub n_floors: usize,
    pub n_classes: usize,
    /// Students of each class, for guided moves toward classmates.
    pub class_start: Vec<u32>,
    pub class_members: Vec<u32>,
    /// Usable beds each pool (see [`pool_of`]) may take, in bed order.
    pub pool_beds: [Vec<u32>; 4],

    pub student_index: BTreeMap<String, u32>,
    pub bed_index: BTreeMap<String, u32>,
    pub weights: Weights,
}

/// Why a pin cannot be kept as asked; the student is then reported, not silently moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PinProblem {
    BedUnusable,
    WrongGender,
    NotAccessible,
    BedTaken,
    Avoided,
}

fn intern(names: &mut Vec<String>, index: &mut BTreeMap<String, u32>, name: &str) -> u32 {
    if let Some(&i) = index.get(name) {
        return i;
    }
    let i = names.len() as u32;
    names.push(name.to_string());
    index.insert(name.to_string(), i);
    i
}

fn features(l: &Lifestyle) -> ([f64; FEATURES], u8) {
    let scale5 = |v: Option<u8>| v.map(|v| ((f64::from(v) - 1.0) / 4.0).clamp(0.0, 1.0));
    // Bedtime is counted from 18:00 so that 23:30 and 00:30 are an hour apart, not 23.
    let sleep = l.sleep_minutes.map(|m| {
        let since_evening = (u32::from(m) % 1440 + 1440 - 18 * 60) % 1440;
        ((f64::from(since_evening) - 180.0) / 360.0).clamp(0.0, 1.0)
    });
    let wake = l.wake_minutes.map(|m| ((f64::from(m % 1440) - 300.0) / 360.0).clamp(0.0, 1.0));
    let smokes = l.smokes.map(|s| if s { 1.0 } else { 0.0 });
    let all = [sleep, wake, smokes, scale5(l.noise_tolerance), scale5(l.air_conditioning), scale5(l.cleanliness)];
    let mut values = [0.0; FEATURES];
    let mut mask = 0u8;
    for (f, v) in all.iter().enumerate() {
        if let Some(v) = v {
            values[f] = *v;
            mask |= 1 << f;
        }
    }
    (values, mask)
}

/// Lifestyle mismatch of two students in 0..=1 (unanswered features count as no mismatch).
pub(crate) fn life_mismatch(m: &Model, a: usize, b: usize) -> f64 {
    let both = m.life_mask[a] & m.life_mask[b];
    let (la, lb) = (&m.life[a], &m.life[b]);
    let mut sum = 0.0;
    for (f, weight) in FEATURE_WEIGHTS.iter().enumerate() {
        if both & (1 << f) != 0 {
            let d = la[f] - lb[f];
            sum += weight * d * d;
        }
    }
    sum
}

impl Model {
    pub fn new(inst: &Instance) -> Result<Model, InstanceError> {
        let w = &inst.weights;
        for (name, v) in [
            ("mutual_request", w.mutual_request),
            ("one_way_request", w.one_way_request),
            ("same_class", w.same_class),
            ("same_major", w.same_major),
            ("same_college", w.same_college),
            ("floor_clustering", w.floor_clustering),
            ("lifestyle", w.lifestyle),
            ("half_empty", w.half_empty),
            ("province_mix", w.province_mix),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(InstanceError::BadWeight(name));
            }
        }

        let n = inst.students.len();
        let mut student_index = BTreeMap::new();
        for (i, s) in inst.students.iter().enumerate() {
            if student_index.insert(s.id.clone(), i as u32).is_some() {
                return Err(InstanceError::DuplicateStudent(s.id.clone()));
            }
        }

        // Interned in order of first appearance; only the indices are kept.
        let (mut class_names, mut major_names, mut college_names, mut province_names) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut ci, mut mi, mut coi, mut pi) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        let mut keys = Vec::with_capacity(n);
        let mut life = Vec::with_capacity(n);
        let mut life_mask = Vec::with_capacity(n);
        for s in &inst.students {
            // A class name is only unique within its major ("1班" exists everywhere).
            let class_key = format!("{}\u{1f}{}\u{1f}{}", s.college, s.major, s.class);
            let class = intern(&mut class_names, &mut ci, &class_key);
            let major = intern(&mut major_names, &mut mi, &format!("{}\u{1f}{}", s.college, s.major));
            let college = intern(&mut college_names, &mut coi, &s.college);
            let province = intern(&mut province_names, &mut pi, &s.province);
            keys.push(Keys { class, major, college, province });
            let (v, mask) = features(&s.lifestyle);
            life.push(v);
            life_mask.push(mask);
        }

        // Requests: deduplicated, self-requests dropped, mutual when both asked.
        let mut asked: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, s) in inst.students.iter().enumerate() {
            for other in &s.requests {
                let &j = student_index
                    .get(other)
                    .ok_or_else(|| InstanceError::UnknownRequest { student: s.id.clone(), other: other.clone() })?;
                if j as usize != i {
                    asked[i].push(j);
                }
            }
            asked[i].sort_unstable();
            asked[i].dedup();
        }
        let mut link_lists: Vec<Vec<Link>> = vec![Vec::new(); n];
        for i in 0..n {
            for &j in &asked[i] {
                let j = j as usize;
                let mutual = asked[j].binary_search(&(i as u32)).is_ok();
                if mutual {
                    // Recorded once per side, from the side with the smaller index.
                    if i < j {
                        let l = |p: usize| Link { partner: p as u32, mutual: true, asked: true, weight: w.mutual_request };
                        link_lists[i].push(l(j));
                        link_lists[j].push(l(i));
                    }
                } else {
                    let l = |p: usize, asked: bool| Link { partner: p as u32, mutual: false, asked, weight: w.one_way_request };
                    link_lists[i].push(l(j, true));
                    link_lists[j].push(l(i, false));
                }
            }
        }
        let (links_start, links) = flatten(link_lists);

        let mut avoid_lists: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, s) in inst.students.iter().enumerate() {
            for other in &s.avoid {
                let &j = student_index
                    .get(other)
                    .ok_or_else(|| InstanceError::UnknownAvoid { student: s.id.clone(), other: other.clone() })?;
                if j as usize != i {
                    avoid_lists[i].push(j);
                    avoid_lists[j as usize].push(i as u32);
                }
            }
        }
        for l in &mut avoid_lists {
            l.sort_unstable();
            l.dedup();
        }
        let (avoid_start, avoid) = flatten(avoid_lists);

        // Rooms and beds; beds of a room are contiguous.
        let mut room_ids = BTreeMap::new();
        let mut bed_index = BTreeMap::new();
        let mut floor_index = BTreeMap::new();
        let (mut bed_room, mut bed_usable, mut room_bed_start) = (Vec::new(), Vec::new(), vec![0u32]);
        let (mut room_gender, mut room_accessible, mut room_floor, mut room_usable) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (r, room) in inst.rooms.iter().enumerate() {
            if room_ids.insert(room.id.clone(), r).is_some() {
                return Err(InstanceError::DuplicateRoom(room.id.clone()));
            }
            for bed in &room.beds {
                if bed_index.insert(bed.id.clone(), bed_room.len() as u32).is_some() {
                    return Err(InstanceError::DuplicateBed(bed.id.clone()));
                }
                bed_room.push(r as u32);
                bed_usable.push(bed.usable());
            }
            room_bed_start.push(bed_room.len() as u32);
            room_gender.push(room.gender);
            room_accessible.push(room.accessible);
            let next = floor_index.len() as u32;
            let f = *floor_index.entry((room.area.clone(), room.building.clone(), room.floor)).or_insert(next);
            room_floor.push(f);
            room_usable.push(room.beds.iter().filter(|b| b.usable()).count() as u32);
        }

        let gender: Vec<Gender> = inst.students.iter().map(|s| s.gender).collect();
        let needs_accessible: Vec<bool> = inst.students.iter().map(|s| s.needs_accessible).collect();

        let mut pool_beds: [Vec<u32>; 4] = Default::default();
        for b in 0..bed_room.len() {
            if !bed_usable[b] {
                continue;
            }
            let r = bed_room[b] as usize;
            pool_beds[pool_of(room_gender[r], false)].push(b as u32);
            if room_accessible[r] {
                pool_beds[pool_of(room_gender[r], true)].push(b as u32);
            }
        }

        let mut class_lists: Vec<Vec<u32>> = vec![Vec::new(); class_names.len()];
        for (s, k) in keys.iter().enumerate() {
            class_lists[k.class as usize].push(s as u32);
        }
        let (class_start, class_members) = flatten(class_lists);

        let mut model = Model {
            n_students: n,
            gender,
            needs_accessible,
            keys,
            life,
            life_mask,
            links_start,
            links,
            avoid_start,
            avoid,
            pin: vec![NONE; n],
            pin_problem: vec![None; n],
            n_beds: bed_room.len(),
            bed_room,
            bed_usable,
            n_rooms: inst.rooms.len(),
            room_bed_start,
            room_gender,
            room_accessible,
            room_floor,
            room_usable,
            n_floors: floor_index.len(),
            n_classes: class_names.len(),
            class_start,
            class_members,
            pool_beds,
            student_index,
            bed_index,
            weights: w.clone(),
        };

        // Pins, in input order: the first pin on a bed wins, later ones are reported.
        let mut seen = vec![false; n];
        let mut bed_pin = vec![NONE; model.n_beds];
        for p in &inst.pins {
            let &s = model.student_index.get(&p.student).ok_or_else(|| InstanceError::PinUnknownStudent(p.student.clone()))?;
            let &b = model.bed_index.get(&p.bed).ok_or_else(|| InstanceError::PinUnknownBed(p.bed.clone()))?;
            let (s, bu) = (s as usize, b as usize);
            if std::mem::replace(&mut seen[s], true) {
                return Err(InstanceError::DuplicatePin(p.student.clone()));
            }
            let r = model.bed_room[bu] as usize;
            let avoided =
                model.room_beds(r).any(|b2| bed_pin[b2 as usize] != NONE && model.avoids(s, bed_pin[b2 as usize] as usize));
            let problem = if !model.bed_usable[bu] {
                Some(PinProblem::BedUnusable)
            } else if model.room_gender[r] != model.gender[s] {
                Some(PinProblem::WrongGender)
            } else if model.needs_accessible[s] && !model.room_accessible[r] {
                Some(PinProblem::NotAccessible)
            } else if bed_pin[bu] != NONE {
                Some(PinProblem::BedTaken)
            } else if avoided {
                Some(PinProblem::Avoided)
            } else {
                None
            };
            match problem {
                Some(pr) => model.pin_problem[s] = Some(pr),
                None => {
                    model.pin[s] = b;
                    bed_pin[bu] = s as u32;
                }
            }
        }
        Ok(model)
    }

    pub fn links_of(&self, s: usize) -> &[Link] {
        &self.links[self.links_start[s] as usize..self.links_start[s + 1] as usize]
    }

    pub fn avoid_of(&self, s: usize) -> &[u32] {
        &self.avoid[self.avoid_start[s] as usize..self.avoid_start[s + 1] as usize]
    }

    pub fn avoids(&self, a: usize, b: usize) -> bool {
        self.avoid_of(a).binary_search(&(b as u32)).is_ok()
    }

    pub fn room_beds(&self, r: usize) -> impl Iterator<Item = u32> {
        self.room_bed_start[r]..self.room_bed_start[r + 1]
    }

    pub fn class_of(&self, c: usize) -> &[u32] {
        &self.class_members[self.class_start[c] as usize..self.class_start[c + 1] as usize]
    }

    pub fn pool(&self, s: usize) -> usize {
        pool_of(self.gender[s], self.needs_accessible[s])
    }

    /// The hard rules about a student and a bed alone (not about roommates).
    pub fn bed_fits(&self, s: usize, b: usize) -> bool {
        let r = self.bed_room[b] as usize;
        self.bed_usable[b] && self.room_gender[r] == self.gender[s] && (!self.needs_accessible[s] || self.room_accessible[r])
    }
}

fn flatten<T>(lists: Vec<Vec<T>>) -> (Vec<u32>, Vec<T>) {
    let mut start = Vec::with_capacity(lists.len() + 1);
    let mut flat = Vec::new();
    start.push(0);
    for l in lists {
        flat.extend(l);
        start.push(flat.len() as u32);
    }
    (start, flat)
}
