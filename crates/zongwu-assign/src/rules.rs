//! The hard rules, checked on a finished plan by code that shares nothing with the solver.
//!
//! The solver keeps the rules by construction; this independent check is what tests, the
//! benchmark and the window (for a plan edited or imported elsewhere) rely on to prove it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::instance::Instance;
use crate::model::Model;
use crate::plan::Plan;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Violation {
    UnknownStudent {
        student: String,
    },
    UnknownBed {
        student: String,
        bed: String,
    },
    /// Listed twice (placed twice, or both placed and unplaced).
    ListedTwice {
        student: String,
    },
    /// Neither placed nor reported unplaced.
    Missing {
        student: String,
    },
    BedShared {
        bed: String,
        students: Vec<String>,
    },
    BedUnusable {
        student: String,
        bed: String,
    },
    WrongGender {
        student: String,
        bed: String,
    },
    NotAccessible {
        student: String,
        bed: String,
    },
    Avoided {
        student: String,
        other: String,
        room: String,
    },
    PinNotKept {
        student: String,
        pinned: String,
    },
}

impl Violation {
    pub fn message_zh(&self) -> String {
        match self {
            Violation::UnknownStudent { student } => format!("未知学号 {student}"),
            Violation::UnknownBed { student, bed } => format!("{student} 的床位 {bed} 不存在"),
            Violation::ListedTwice { student } => format!("{student} 出现了两次"),
            Violation::Missing { student } => format!("{student} 既未安排也未说明原因"),
            Violation::BedShared { bed, students } => format!("床位 {bed} 同时安排了 {}", students.join("、")),
            Violation::BedUnusable { student, bed } => format!("{student} 被安排在预留或停用的床位 {bed}"),
            Violation::WrongGender { student, bed } => format!("{student} 被安排在异性房间的床位 {bed}"),
            Violation::NotAccessible { student, bed } => format!("{student} 需要无障碍房间，床位 {bed} 不是"),
            Violation::Avoided { student, other, room } => format!("{student} 与 {other} 申请不同住，却同在 {room}"),
            Violation::PinNotKept { student, pinned } => format!("{student} 固定在 {pinned}，未保留"),
        }
    }
}

/// Every hard rule the plan breaks; empty when it keeps them all.
pub(crate) fn violations(inst: &Instance, model: &Model, plan: &Plan) -> Vec<Violation> {
    let mut out = Vec::new();
    let students: BTreeMap<&str, usize> = inst.students.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let mut beds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (r, room) in inst.rooms.iter().enumerate() {
        for (b, bed) in room.beds.iter().enumerate() {
            beds.insert(bed.id.as_str(), (r, b));
        }
    }
    let mut seen = vec![0u32; inst.students.len()];
    let mut on_bed: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut in_room: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut placed_bed: BTreeMap<usize, &str> = BTreeMap::new();
    for p in &plan.placements {
        let Some(&s) = students.get(p.student.as_str()) else {
            out.push(Violation::UnknownStudent { student: p.student.clone() });
            continue;
        };
        seen[s] += 1;
        let Some(&(r, b)) = beds.get(p.bed.as_str()) else {
            out.push(Violation::UnknownBed { student: p.student.clone(), bed: p.bed.clone() });
            continue;
        };
        let (st, room, bed) = (&inst.students[s], &inst.rooms[r], &inst.rooms[r].beds[b]);
        on_bed.entry(bed.id.as_str()).or_default().push(st.id.clone());
        in_room.entry(r).or_default().push(s);
        placed_bed.insert(s, bed.id.as_str());
        if !bed.usable() {
            out.push(Violation::BedUnusable { student: st.id.clone(), bed: bed.id.clone() });
        }
        if room.gender != st.gender {
            out.push(Violation::WrongGender { student: st.id.clone(), bed: bed.id.clone() });
        }
        if st.needs_accessible && !room.accessible {
            out.push(Violation::NotAccessible { student: st.id.clone(), bed: bed.id.clone() });
        }
    }
    for u in &plan.unplaced {
        match students.get(u.student.as_str()) {
            Some(&s) => seen[s] += 1,
            None => out.push(Violation::UnknownStudent { student: u.student.clone() }),
        }
    }
    for (s, &n) in seen.iter().enumerate() {
        let id = &inst.students[s].id;
        match n {
            0 => out.push(Violation::Missing { student: id.clone() }),
            1 => {}
            _ => out.push(Violation::ListedTwice { student: id.clone() }),
        }
    }
    for (bed, list) in on_bed {
        if list.len() > 1 {
            out.push(Violation::BedShared { bed: bed.to_string(), students: list });
        }
    }
    for (r, list) in &in_room {
        for (i, &a) in list.iter().enumerate() {
            for &b in &list[i + 1..] {
                let (sa, sb) = (&inst.students[a], &inst.students[b]);
                if sa.avoid.contains(&sb.id) || sb.avoid.contains(&sa.id) {
                    out.push(Violation::Avoided {
                        student: sa.id.clone(),
                        other: sb.id.clone(),
                        room: inst.rooms[*r].id.clone(),
                    });
                }
            }
        }
    }
    // A pin the engine accepted (see the model) must be kept exactly.
    for pin in &inst.pins {
        let Some(&s) = students.get(pin.student.as_str()) else { continue };
        if model.pin_problem[s].is_none() && placed_bed.get(&s).copied() != Some(pin.bed.as_str()) {
            out.push(Violation::PinNotKept { student: pin.student.clone(), pinned: pin.bed.clone() });
        }
    }
    out
}
