//! The assessment arithmetic of issue #11, with no store, no clock and no I/O: the office's
//! working-hours calendar, the statistics a metric is made of, the scoring rules of an indicator,
//! versioned schemes, and assessment runs with their workflow.
//!
//! ```text
//! calendar ─→ (the store measures times in working hours) ─→ stats ─→ raw value of an indicator
//! scoring: raw value → points          scheme: indicators weighted per kind of unit
//! run: points → weighted score → adjustments → total → rank; draft → appeal window → locked → published
//! ```
//!
//! Everything here is a pure function of its inputs, so the desktop, the CLI and the server compute
//! the same figures, and every rule is tested here without SQLite. Times are local naive times: the
//! office's calendar is a wall-clock calendar in the campus's time zone, and the caller converts
//! stored instants before asking.

pub mod calendar;
pub mod run;
pub mod scheme;
pub mod scoring;
pub mod stats;

pub use calendar::{Interval, WorkPeriod, WorkingCalendar};
pub use run::{diff, Adjustment, AssessmentRun, Change, Figure, Objection, RunStatus, ScoreLine, Scorecard};
pub use scheme::{Scheme, Unit, UnitKind};
pub use scoring::{
    score, score_all, Band, Direction, Indicator, Judgement, Measurement, Normalisation, ScoringRule, Source, UnitBase,
};

/// What can go wrong in the assessment arithmetic. Every variant is a caller's or a configuration's
/// mistake that the office can fix; nothing here is an I/O failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("invalid working-hours calendar: {0}")]
    InvalidCalendar(String),
    #[error("indicator {code}: {why}")]
    InvalidIndicator { code: String, why: String },
    #[error("invalid scheme: {0}")]
    InvalidScheme(String),
    #[error("indicator {indicator} is normalised per {per}, but the unit has no such base")]
    MissingBase { indicator: String, per: &'static str },
    #[error("unit {unit}: {error}")]
    InUnit { unit: String, error: Box<Error> },
    #[error("indicator {0} is rank-based: score it over all units at once")]
    NeedsAllUnits(String),
    #[error("unknown unit {0}")]
    UnknownUnit(String),
    #[error("unknown indicator {0}")]
    UnknownIndicator(String),
    #[error("unit {unit} is a {kind:?}, which scheme {scheme} does not weight")]
    KindNotInScheme { unit: String, kind: UnitKind, scheme: String },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("an author is required")]
    AuthorRequired,
    #[error("the run is {0:?}: its figures never change; correct it with a new version")]
    RunFrozen(RunStatus),
    #[error("a run cannot go from {from:?} to {to:?}")]
    TransitionNotAllowed { from: RunStatus, to: RunStatus },
    #[error("objections are filed and answered only during the appeal window, not in {0:?}")]
    NotInAppealWindow(RunStatus),
    #[error("{0} objection(s) still unanswered")]
    UnansweredObjections(usize),
    #[error("{0} figure(s) still missing (manual or expert scores not entered)")]
    MissingMeasurements(usize),
    #[error("no objection {0}")]
    UnknownObjection(usize),
    #[error("only a locked or published run is corrected by a new version; a {0:?} run is edited in place")]
    NotFrozen(RunStatus),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
