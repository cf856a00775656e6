//! What the office hands the engine: the intake (students, their requests and pins), the rooms
//! with their beds, and the weights of the soft goals.
//!
//! These are plain serde types so the desktop can build them from SQLite rows and the CLI from
//! files; everything the engine needs to run fast (indices, interned names) is derived from them
//! once in [`crate::model`]. Ids are the office's own (student numbers, bed codes), kept as text.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn label_zh(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
}

/// The lifestyle questionnaire. Every answer is optional: an unanswered question counts as
/// neither a match nor a clash.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lifestyle {
    /// Usual bedtime, minutes after midnight (23:30 = 1410, 00:30 = 30).
    pub sleep_minutes: Option<u16>,
    /// Usual wake-up time, minutes after midnight.
    pub wake_minutes: Option<u16>,
    pub smokes: Option<bool>,
    /// 1 (needs quiet) ..= 5 (does not mind noise).
    pub noise_tolerance: Option<u8>,
    /// 1 (rarely runs the air-conditioning) ..= 5 (always on).
    pub air_conditioning: Option<u8>,
    /// 1 (relaxed) ..= 5 (very tidy).
    pub cleanliness: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Student {
    /// Student (or exam) number, unique in the intake.
    pub id: String,
    pub name: String,
    pub gender: Gender,
    pub college: String,
    pub major: String,
    pub class: String,
    pub province: String,
    /// Needs an accessible room (wheelchair, medical): a hard rule.
    pub needs_accessible: bool,
    pub lifestyle: Lifestyle,
    /// Student ids this student asked to live with. Mutual when the other asked back.
    pub requests: Vec<String>,
    /// Student ids this student must not share a room with: a hard rule, either way round.
    pub avoid: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bed {
    pub id: String,
    /// Held back by the office (staff, late cases): never assigned.
    pub reserved: bool,
    pub out_of_service: bool,
}

impl Bed {
    pub fn usable(&self) -> bool {
        !self.reserved && !self.out_of_service
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Room {
    pub id: String,
    /// Campus dormitory area, e.g. 桃园.
    pub area: String,
    pub building: String,
    pub floor: i32,
    pub gender: Gender,
    pub accessible: bool,
    pub beds: Vec<Bed>,
}

/// A placement the office fixed by hand; kept by every run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    pub student: String,
    pub bed: String,
}

/// Weights of the soft goals, editable in the window. Each term of the objective is a weighted
/// cost (0 is ideal), so a weight says how much one unit of that shortfall matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    /// Per mutual request pair not in the same room.
    pub mutual_request: f64,
    /// Per one-way request not met.
    pub one_way_request: f64,
    /// Per pair of roommates from different classes.
    pub same_class: f64,
    /// Per pair of roommates from different majors.
    pub same_major: f64,
    /// Per pair of roommates from different colleges.
    pub same_college: f64,
    /// Per floor a class is spread over beyond its first.
    pub floor_clustering: f64,
    /// Per pair of roommates, times their lifestyle mismatch in 0..=1.
    pub lifestyle: f64,
    /// Per empty usable bed in a room that has someone in it.
    pub half_empty: f64,
    /// Per pair of roommates from the same province (0 when the office does not mix provinces).
    pub province_mix: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            mutual_request: 30.0,
            one_way_request: 5.0,
            same_class: 1.0,
            same_major: 0.5,
            same_college: 0.3,
            floor_clustering: 2.0,
            lifestyle: 1.0,
            half_empty: 4.0,
            province_mix: 0.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub students: Vec<Student>,
    pub rooms: Vec<Room>,
    pub pins: Vec<Pin>,
    pub weights: Weights,
}
