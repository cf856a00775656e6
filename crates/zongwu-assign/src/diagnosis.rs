//! Why an intake cannot be fully placed: which rule, how many short, who is left without a bed.
//!
//! The counts come from the instance alone (beds per gender, accessible beds per gender), so the
//! office sees the shortage even before a run; the names come from the finished plan, so they are
//! exactly the students the plan left out.

use serde::{Deserialize, Serialize};

use crate::instance::Gender;
use crate::model::Model;
use crate::plan::{Unplaced, UnplacedReason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Usable beds of a gender.
    Beds,
    /// Usable beds in accessible rooms of a gender.
    AccessibleBeds,
    /// Anti-requests leave no room for someone although beds are free.
    AntiRequests,
    /// Pins that cannot be kept as given.
    Pins,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortage {
    pub rule: Rule,
    pub gender: Option<Gender>,
    pub needed: usize,
    pub available: usize,
    pub short: usize,
    /// The students this rule left without a bed.
    pub students: Vec<String>,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// True when everyone got a bed.
    pub feasible: bool,
    pub shortages: Vec<Shortage>,
}

pub(crate) fn diagnose(m: &Model, unplaced: &[Unplaced]) -> Diagnosis {
    let who = |pred: &dyn Fn(&Unplaced) -> bool| -> Vec<String> {
        unplaced.iter().filter(|u| pred(u)).map(|u| u.student.clone()).collect()
    };
    let gender_of = |id: &str| m.student_index.get(id).map(|&s| m.gender[s as usize]);
    let mut shortages = Vec::new();
    for g in [Gender::Male, Gender::Female] {
        let beds = m.pool_beds[crate::model::pool_of(g, false)].len();
        let accessible = m.pool_beds[crate::model::pool_of(g, true)].len();
        let students = (0..m.n_students).filter(|&s| m.gender[s] == g).count();
        let needy = (0..m.n_students).filter(|&s| m.gender[s] == g && m.needs_accessible[s]).count();
        // The row appears when the counts fall short, and also when students were left out for
        // this rule although the counts alone would fit (beds of the kind taken by others).
        let left = who(&|u| u.reason == UnplacedReason::NoAccessibleBed && gender_of(&u.student) == Some(g));
        let short_needy = needy.saturating_sub(accessible).max(left.len());
        if short_needy > 0 {
            shortages.push(Shortage {
                rule: Rule::AccessibleBeds,
                gender: Some(g),
                needed: needy,
                available: accessible,
                short: short_needy,
                students: left,
                message: format!("{}生需要无障碍床位 {needy} 人，可用 {accessible} 张，缺 {short_needy}", g.label_zh()),
            });
        }
        let left = who(&|u| u.reason == UnplacedReason::NoBedForGender && gender_of(&u.student) == Some(g));
        let short = students.saturating_sub(beds).max(left.len());
        if short > 0 {
            shortages.push(Shortage {
                rule: Rule::Beds,
                gender: Some(g),
                needed: students,
                available: beds,
                short,
                students: left,
                message: format!("{}生 {students} 人，可用床位 {beds} 张，缺 {short}", g.label_zh()),
            });
        }
    }
    let anti = who(&|u| u.reason == UnplacedReason::AvoidConflict);
    if !anti.is_empty() {
        shortages.push(Shortage {
            rule: Rule::AntiRequests,
            gender: None,
            needed: anti.len(),
            available: 0,
            short: anti.len(),
            message: format!("{} 人因“不同住”申请找不到可住的房间", anti.len()),
            students: anti,
        });
    }
    let pins = who(&|u| {
        matches!(
            u.reason,
            UnplacedReason::PinBedUnusable
                | UnplacedReason::PinWrongGender
                | UnplacedReason::PinNotAccessible
                | UnplacedReason::PinBedTaken
                | UnplacedReason::PinAvoided
        )
    });
    if !pins.is_empty() {
        shortages.push(Shortage {
            rule: Rule::Pins,
            gender: None,
            needed: pins.len(),
            available: 0,
            short: pins.len(),
            message: format!("{} 条固定床位无法保留", pins.len()),
            students: pins,
        });
    }
    Diagnosis { feasible: unplaced.is_empty(), shortages }
}
