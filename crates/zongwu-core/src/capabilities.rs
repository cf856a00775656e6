//! What the acting user may do, as the window needs it to show or hide actions. Every flag is
//! read from the one rule table ([`zongwu_proto::rules`]) and the workflow ([`NeedStatus`]); the
//! window keeps no rule of its own, it only reads this.

use crate::{dto, Actor, Role};
use zongwu_proto::rules::{self, Action, Reach};
use zongwu_proto::NeedStatus;

dto! {
    /// The actions the actor's role allows; the core still checks every write.
    pub struct Capabilities {
        /// May add and edit officers on the roster.
        pub edit_roster: bool,
        /// May add and edit units.
        pub edit_units: bool,
        /// May submit needs.
        pub submit_need: bool,
        /// May score needs (write need reviews).
        pub review: bool,
        /// May move needs along the workflow.
        pub transition: bool,
        /// May make and restore backups (office staff).
        pub backup: bool,
        /// Works for one unit only: forms fix the unit to the actor's own.
        pub own_unit_only: bool,
        /// Moving a need to one of these statuses needs a comment.
        pub comment_required: Vec<NeedStatus>,
        /// Manages the server's accounts and devices (once joined to a server).
        pub manage_accounts: bool,
        /// Roles whose users act for exactly one unit (the account form asks for it).
        pub unit_roles: Vec<Role>,
        /// The fewest characters a server account's password may have.
        pub min_password_chars: u32,
    }
}

impl Capabilities {
    /// What `role` may do.
    pub fn of_role(role: Role) -> Capabilities {
        Capabilities {
            edit_roster: rules::may(role, "officers", Action::Create),
            edit_units: rules::may(role, "units", Action::Create),
            submit_need: rules::may(role, "needs", Action::Create),
            review: rules::may(role, "need_reviews", Action::Create),
            transition: rules::may_set(role, "needs", "status"),
            backup: role.is_staff(),
            own_unit_only: rules::grant(role, "needs").is_some_and(|g| g.reach == Reach::OwnUnit),
            comment_required: NeedStatus::ALL.into_iter().filter(|s| s.needs_comment()).collect(),
            manage_accounts: role.manages_accounts(),
            unit_roles: Role::ALL.into_iter().filter(|r| r.belongs_to_unit()).collect(),
            min_password_chars: zongwu_proto::MIN_PASSWORD_CHARS as u32,
        }
    }

    /// What `actor` may do.
    pub fn of(actor: &Actor) -> Capabilities {
        Capabilities::of_role(actor.role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_is_what_the_rule_table_says() {
        for role in Role::ALL {
            let c = Capabilities::of_role(role);
            assert_eq!(c.edit_roster, rules::may(role, "officers", Action::Create), "{role:?}");
            assert_eq!(c.edit_units, rules::may(role, "units", Action::Create), "{role:?}");
            assert_eq!(c.submit_need, rules::may(role, "needs", Action::Create), "{role:?}");
            assert_eq!(c.review, rules::may(role, "need_reviews", Action::Create), "{role:?}");
            assert_eq!(c.transition, !rules::need_transitions(role, NeedStatus::Submitted).is_empty(), "{role:?}");
            assert_eq!(c.backup, role.is_staff(), "{role:?}");
        }
        let officer = Capabilities::of_role(Role::Officer);
        assert!(officer.submit_need && officer.own_unit_only && !officer.transition && !officer.edit_roster);
        let expert = Capabilities::of_role(Role::Expert);
        assert!(expert.review && !expert.submit_need && !expert.own_unit_only);
        assert!(Capabilities::of_role(Role::Office).transition && !Capabilities::of_role(Role::Office).review);
        assert_eq!(officer.comment_required, vec![NeedStatus::Rejected, NeedStatus::OnHold]);
    }
}
