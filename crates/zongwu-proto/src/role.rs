//! Who a user is to the office: the one definition of roles, shared by the desktop core, the
//! server and (through the generated bindings) the window.

use serde::{Deserialize, Serialize};

/// A user's role; the wire spells it in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Office,
    Expert,
    Officer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Office, Role::Expert, Role::Officer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Office => "office",
            Role::Expert => "expert",
            Role::Officer => "officer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Office staff (admin and office) manage units, the roster and the needs pipeline.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Office)
    }

    /// Only admins manage the server's accounts, devices and platform keys.
    pub fn manages_accounts(self) -> bool {
        self == Role::Admin
    }

    /// A user of this role acts for exactly one unit (liaison officers); nobody else has one.
    pub fn belongs_to_unit(self) -> bool {
        self == Role::Officer
    }
}

/// The fewest characters a server account's password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The needs workflow, one definition for the desktop core, the server's push check and the
/// window's buttons.
///
/// ```text
/// submitted → under_review → approved → in_development → launched
///      ↘ rejected / on_hold (from any open state); on_hold → under_review
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum NeedStatus {
    Submitted,
    UnderReview,
    Approved,
    InDevelopment,
    Launched,
    Rejected,
    OnHold,
}

impl NeedStatus {
    pub const ALL: [NeedStatus; 7] = [
        NeedStatus::Submitted,
        NeedStatus::UnderReview,
        NeedStatus::Approved,
        NeedStatus::InDevelopment,
        NeedStatus::Launched,
        NeedStatus::Rejected,
        NeedStatus::OnHold,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NeedStatus::Submitted => "submitted",
            NeedStatus::UnderReview => "under_review",
            NeedStatus::Approved => "approved",
            NeedStatus::InDevelopment => "in_development",
            NeedStatus::Launched => "launched",
            NeedStatus::Rejected => "rejected",
            NeedStatus::OnHold => "on_hold",
        }
    }

    pub fn parse(s: &str) -> Option<NeedStatus> {
        NeedStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            NeedStatus::Submitted => "已提交",
            NeedStatus::UnderReview => "评审中",
            NeedStatus::Approved => "已批准",
            NeedStatus::InDevelopment => "开发中",
            NeedStatus::Launched => "已上线",
            NeedStatus::Rejected => "已驳回",
            NeedStatus::OnHold => "暂缓",
        }
    }

    /// The states reachable in one step.
    pub fn next(self) -> &'static [NeedStatus] {
        use NeedStatus::*;
        match self {
            Submitted => &[UnderReview, Rejected, OnHold],
            UnderReview => &[Approved, Rejected, OnHold],
            Approved => &[InDevelopment, OnHold, Rejected],
            InDevelopment => &[Launched, OnHold],
            OnHold => &[UnderReview, Rejected],
            Launched | Rejected => &[],
        }
    }

    /// Stopping or turning a need down must say why, so the submitter learns it.
    pub fn needs_comment(self) -> bool {
        matches!(self, NeedStatus::Rejected | NeedStatus::OnHold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str(), "the wire name is the stored name");
        }
        for s in NeedStatus::ALL {
            assert_eq!(NeedStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    #[test]
    fn closed_states_lead_nowhere_and_on_hold_goes_back_to_review() {
        assert!(NeedStatus::Launched.next().is_empty());
        assert!(NeedStatus::Rejected.next().is_empty());
        assert!(NeedStatus::OnHold.next().contains(&NeedStatus::UnderReview));
        assert!(!NeedStatus::Submitted.next().contains(&NeedStatus::Approved), "approval needs a review first");
    }
}
