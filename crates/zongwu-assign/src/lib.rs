//! The freshman dormitory assignment engine (自动分宿).
//!
//! Pure: an [`Instance`] in; a [`Plan`], its [`Objective`] term by term, explanations and a
//! diagnosis out. No SQLite, no async, no clock read except for the time limit, so the desktop,
//! the CLI, the property tests and the benchmark all drive the same code.
//!
//! How the pieces fit: [`model`] compiles the instance into indices; [`state`] holds a live
//! assignment with the per-room aggregates that make a move's delta O(room size); [`construct`]
//! builds a feasible plan greedily; [`search`] improves it by simulated annealing; [`resolve`]
//! re-solves after late changes with as few moves as possible; [`adjust`] checks manual moves;
//! [`explain`] turns a plan into words, room breakdowns and a fairness view; [`rules`] checks the
//! hard rules independently of all of the above; [`generate`] makes realistic test intakes.

mod adjust;
mod construct;
mod diagnosis;
mod explain;
pub mod generate;
mod instance;
mod model;
mod objective;
mod plan;
mod resolve;
mod rules;
mod search;
mod state;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use adjust::{Board, MoveCheck, SwapSuggestion};
pub use diagnosis::{Diagnosis, Rule, Shortage};
pub use explain::{Fairness, Report, RoomReport, StudentReport, UnmetReason, UnmetRequest};
pub use instance::{Bed, Gender, Instance, Lifestyle, Pin, Room, Student, Weights};
pub use objective::{Objective, Term, TermValue, TermVec, UNPLACED_WEIGHT};
pub use plan::{Placement, Plan, Unplaced, UnplacedReason};
pub use resolve::{MoveWhy, PlanDiff, StudentMove};
pub use rules::Violation;
pub use search::{Progress, SearchStats, StopReason};

use model::{Model, NONE};
use state::State;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InstanceError {
    #[error("student {0} appears twice")]
    DuplicateStudent(String),
    #[error("room {0} appears twice")]
    DuplicateRoom(String),
    #[error("bed {0} appears twice")]
    DuplicateBed(String),
    #[error("student {student} asks to live with unknown student {other}")]
    UnknownRequest { student: String, other: String },
    #[error("student {student} asks not to live with unknown student {other}")]
    UnknownAvoid { student: String, other: String },
    #[error("pin names unknown student {0}")]
    PinUnknownStudent(String),
    #[error("pin names unknown bed {0}")]
    PinUnknownBed(String),
    #[error("student {0} is pinned twice")]
    DuplicatePin(String),
    #[error("weight {0} must be a finite number of at least 0")]
    BadWeight(&'static str),
}

/// How a run is driven. Only `seed` and `iterations` decide the result; the rest can only cut a
/// run short.
#[derive(Clone)]
pub struct SolveOptions {
    pub seed: u64,
    /// Search iterations; `None` chooses [`default_iterations`] for the intake size.
    pub iterations: Option<u64>,
    pub time_limit: Duration,
    pub cancel: Option<Arc<AtomicBool>>,
    pub progress: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions { seed: 1, iterations: None, time_limit: Duration::from_secs(10), cancel: None, progress: None }
    }
}

impl std::fmt::Debug for SolveOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SolveOptions")
            .field("seed", &self.seed)
            .field("iterations", &self.iterations)
            .field("time_limit", &self.time_limit)
            .field("cancellable", &self.cancel.is_some())
            .finish()
    }
}

/// Iterations enough for a refined plan: 1,000 per student (10,000 students refine in about 4 s
/// on a loaded 2-core machine), at least 200,000 (tiny intakes are cheap and gain from the sweeps).
pub fn default_iterations(students: usize) -> u64 {
    (students as u64 * 1_000).max(200_000)
}

/// Annealing temperatures, in objective units: a start that lets a same-class pair be traded for
/// a little, an end where only improvements pass.
const T_START: f64 = 0.6;
const T_END: f64 = 0.02;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    pub construction_secs: f64,
    pub search_secs: f64,
    pub search: SearchStats,
    pub stopped: StopReason,
    /// The objective of the constructed plan, before the search.
    pub constructed: Objective,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub plan: Plan,
    pub objective: Objective,
    pub diagnosis: Diagnosis,
    pub stats: RunStats,
    /// Set by [`Engine::resolve`]: who moved relative to the previous plan, and why.
    pub diff: Option<PlanDiff>,
}

/// An instance ready to solve, check, adjust and explain plans for.
#[derive(Debug, Clone)]
pub struct Engine {
    instance: Instance,
    model: Model,
}

impl Engine {
    pub fn new(instance: Instance) -> Result<Engine, InstanceError> {
        let model = Model::new(&instance)?;
        Ok(Engine { instance, model })
    }

    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// Construct, then search, within `opts.time_limit`.
    pub fn solve(&self, opts: &SolveOptions) -> Outcome {
        let start = Instant::now();
        let deadline = start + opts.time_limit;
        let mut st = construct::construct(&self.model, deadline);
        let constructed = st.cost.to_objective();
        let construction_secs = start.elapsed().as_secs_f64();
        let search_start = Instant::now();
        let params = search::Params {
            iterations: opts.iterations.unwrap_or_else(|| default_iterations(self.model.n_students)),
            deadline,
            seed: opts.seed,
            t_start: T_START,
            t_end: T_END,
            cancel: opts.cancel.as_deref(),
            progress: opts.progress.as_deref(),
        };
        let (search, stopped) = search::anneal_rounds(&mut st, &params);
        let search_secs = search_start.elapsed().as_secs_f64();
        self.outcome(&st, RunStats { construction_secs, search_secs, search, stopped, constructed }, None)
    }

    fn outcome(&self, st: &State<'_>, stats: RunStats, diff: Option<PlanDiff>) -> Outcome {
        let plan = self.plan_of(st);
        let diagnosis = diagnosis::diagnose(&self.model, &plan.unplaced);
        // The incremental total drifts by rounding only; report the exact one.
        let objective = state::evaluate(&self.model, &st.bed_of).to_objective();
        Outcome { plan, objective, diagnosis, stats, diff }
    }

    /// The baseline a plain greedy fill reaches (see [`construct::plain_fill`]).
    pub fn plain_fill(&self) -> (Plan, Objective) {
        let st = construct::plain_fill(&self.model);
        (self.plan_of(&st), st.cost.to_objective())
    }

    /// Every hard rule `plan` breaks; empty when it keeps them all.
    pub fn violations(&self, plan: &Plan) -> Vec<Violation> {
        rules::violations(&self.instance, &self.model, plan)
    }

    /// The objective of any plan whose students and beds exist (hard rules are not checked here;
    /// see [`Engine::violations`]).
    pub fn evaluate(&self, plan: &Plan) -> Result<Objective, Violation> {
        Ok(state::evaluate(&self.model, &self.beds_of(plan)?).to_objective())
    }

    /// Explanations, room breakdowns, unmet requests and the fairness view of a plan.
    pub fn report(&self, plan: &Plan) -> Result<Report, Violation> {
        let beds = self.beds_of(plan)?;
        Ok(explain::report(self, &State::from_beds(&self.model, &beds)))
    }

    /// The shortage figures for this instance and the given unplaced students.
    pub fn diagnose(&self, unplaced: &[Unplaced]) -> Diagnosis {
        diagnosis::diagnose(&self.model, unplaced)
    }

    pub(crate) fn beds_of(&self, plan: &Plan) -> Result<Vec<u32>, Violation> {
        let m = &self.model;
        let mut beds = vec![NONE; m.n_students];
        for p in &plan.placements {
            let &s = m.student_index.get(&p.student).ok_or_else(|| Violation::UnknownStudent { student: p.student.clone() })?;
            let &b = m
                .bed_index
                .get(&p.bed)
                .ok_or_else(|| Violation::UnknownBed { student: p.student.clone(), bed: p.bed.clone() })?;
            beds[s as usize] = b;
        }
        Ok(beds)
    }

    pub(crate) fn plan_of(&self, st: &State<'_>) -> Plan {
        let m = &self.model;
        let mut plan = Plan::default();
        for (s, student) in self.instance.students.iter().enumerate() {
            let b = st.bed_of[s];
            if b == NONE {
                plan.unplaced.push(Unplaced { student: student.id.clone(), reason: construct::reason(st, s) });
            } else {
                let r = m.bed_room[b as usize] as usize;
                let room = &self.instance.rooms[r];
                let bed = &room.beds[(b - m.room_bed_start[r]) as usize];
                plan.placements.push(Placement { student: student.id.clone(), bed: bed.id.clone(), room: room.id.clone() });
            }
        }
        plan
    }
}
