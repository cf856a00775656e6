//! What the engine hands back: who sleeps where, and who could not be placed and why.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Placement {
    pub student: String,
    pub bed: String,
    pub room: String,
}

/// Why a student has no bed. Each names the hard rule that stood in the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedReason {
    /// Every usable bed for this gender is taken.
    NoBedForGender,
    /// Needs an accessible room and every usable accessible bed for this gender is taken.
    NoAccessibleBed,
    /// Free beds exist, but every room with one holds someone this student must not live with.
    AvoidConflict,
    /// The pinned bed is reserved or out of service.
    PinBedUnusable,
    /// The pinned bed is in a room for the other gender.
    PinWrongGender,
    /// Needs an accessible room but was pinned to a room that is not.
    PinNotAccessible,
    /// Another student was pinned to the same bed first.
    PinBedTaken,
    /// Pinned into a room with someone pinned earlier whom this student must not live with.
    PinAvoided,
}

impl UnplacedReason {
    pub fn label_zh(self) -> &'static str {
        match self {
            UnplacedReason::NoBedForGender => "该性别可用床位已满",
            UnplacedReason::NoAccessibleBed => "无障碍床位不足",
            UnplacedReason::AvoidConflict => "有空床的房间都住着其申请“不同住”的同学",
            UnplacedReason::PinBedUnusable => "固定床位已预留或停用",
            UnplacedReason::PinWrongGender => "固定床位所在房间性别不符",
            UnplacedReason::PinNotAccessible => "需要无障碍房间，固定床位不是无障碍房间",
            UnplacedReason::PinBedTaken => "固定床位已被另一位同学固定",
            UnplacedReason::PinAvoided => "固定床位的房间里有其申请“不同住”的同学",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    pub student: String,
    pub reason: UnplacedReason,
}

/// A plan: placements in the intake's student order, then the students left without a bed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub placements: Vec<Placement>,
    pub unplaced: Vec<Unplaced>,
}

impl Plan {
    pub fn bed_of(&self, student: &str) -> Option<&str> {
        self.placements.iter().find(|p| p.student == student).map(|p| p.bed.as_str())
    }
}
