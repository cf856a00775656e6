//! The synced tables and their columns: the one list dynamic SQL is built from, so a table or
//! column name that arrives from a peer is checked against it before it reaches a statement.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Units,
    Users,
    Officers,
    Trainings,
    Needs,
    NeedTransitions,
    NeedReviews,
}

impl Table {
    pub const ALL: [Table; 7] =
        [Table::Units, Table::Users, Table::Officers, Table::Trainings, Table::Needs, Table::NeedTransitions, Table::NeedReviews];

    pub fn name(self) -> &'static str {
        match self {
            Table::Units => "units",
            Table::Users => "users",
            Table::Officers => "officers",
            Table::Trainings => "trainings",
            Table::Needs => "needs",
            Table::NeedTransitions => "need_transitions",
            Table::NeedReviews => "need_reviews",
        }
    }

    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Domain columns, without the bookkeeping ones (id, unit_id, cl, deleted, updated_hlc).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Units => &["code", "name", "kind", "active"],
            Table::Users => &["name", "role", "login", "phone", "active"],
            Table::Officers => &[
                "staff_no",
                "name",
                "gender",
                "title",
                "phone",
                "email",
                "term_start",
                "term_end",
                "duties",
                "status",
                "retired_on",
                "note",
                "user_id",
            ],
            Table::Trainings => &["officer_id", "date", "topic", "attended", "hours"],
            Table::Needs => &[
                "title",
                "kind",
                "description",
                "priority",
                "expected_benefit",
                "attachments",
                "status",
                "submitter_id",
                "submitter_name",
                "submitted_ms",
            ],
            Table::NeedTransitions => &["need_id", "from_status", "to_status", "actor_id", "actor_name", "at_ms", "comment"],
            Table::NeedReviews => &["need_id", "expert_id", "expert_name", "scores", "total", "comment", "at_ms"],
        }
    }

    pub fn has_column(self, column: &str) -> bool {
        column == "unit_id" || self.columns().contains(&column)
    }
}
