//! Assessment runs (考核结果) for one period under one scheme version, and their workflow:
//!
//! ```text
//! draft → appeal_window → locked → published
//!   ↑          │
//!   └──────────┘  (back to draft for a rework)
//! ```
//!
//! Per unit a run computes raw figure → points → weighted score → adjustments → total → rank
//! (ranked among units of the same kind; ties share a rank, 1, 2, 2, 4, judged on the total as
//! printed, to two decimals, so two scorecards showing the same total never show different ranks).
//!
//! During the draft and the appeal window the office may change figures and add adjustments, each
//! with its reason and author; in the appeal window a unit's liaison officer may object, and the
//! office answers. Locking needs every objection answered and every figure entered. A locked or
//! published run refuses every change ([`Error::RunFrozen`]): the only step left is to publish.
//! A correction is a new version ([`AssessmentRun::correct`]) whose [`diff`] against the old one
//! is the change list printed with it.
//!
//! The run keeps its inputs (figures, adjustments) and derives its scorecards from them on every
//! change, so a scorecard can never disagree with the figures it shows.

use crate::scheme::{weigh, Scheme, Unit, UnitKind, WeighIn};
use crate::scoring::{competition_ranks, score_all, Judgement, Measurement};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Draft,
    AppealWindow,
    Locked,
    Published,
}

impl RunStatus {
    pub const ALL: [RunStatus; 4] = [RunStatus::Draft, RunStatus::AppealWindow, RunStatus::Locked, RunStatus::Published];

    /// The states reachable in one step.
    pub fn next(self) -> &'static [RunStatus] {
        use RunStatus::*;
        match self {
            Draft => &[AppealWindow],
            AppealWindow => &[Locked, Draft],
            Locked => &[Published],
            Published => &[],
        }
    }

    /// Locked and published runs never change their figures.
    pub fn is_frozen(self) -> bool {
        matches!(self, RunStatus::Locked | RunStatus::Published)
    }
}

fn required(s: &str, err: Error) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        Err(err)
    } else {
        Ok(t.to_string())
    }
}

/// Points added to (or, negative, taken from) a unit's weighted score: 加分 / 扣分.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    pub points: f64,
    pub reason: String,
    pub author: String,
}

impl Adjustment {
    /// Refused without a reason or an author (whitespace does not count), or with points that are
    /// not a number.
    pub fn new(points: f64, reason: &str, author: &str) -> Result<Adjustment> {
        if !points.is_finite() {
            return Err(Error::InvalidScheme(format!("an adjustment of {points} points is not a number")));
        }
        Ok(Adjustment {
            points,
            reason: required(reason, Error::ReasonRequired)?,
            author: required(author, Error::AuthorRequired)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub author: String,
    pub text: String,
}

/// A liaison officer's objection to their unit's draft scorecard (申诉).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objection {
    pub unit: String,
    pub officer: String,
    pub reason: String,
    pub answer: Option<Answer>,
}

/// One indicator on a scorecard. `judgement: None` means the figure was not entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreLine {
    pub indicator: String,
    pub measurement: Option<Measurement>,
    pub judgement: Option<Judgement>,
    pub cap: f64,
    pub weight: f64,
    pub effective_weight: f64,
    pub contribution: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub unit: String,
    pub unit_name: String,
    pub kind: UnitKind,
    pub lines: Vec<ScoreLine>,
    pub weighted: Option<f64>,
    pub adjustments: Vec<Adjustment>,
    pub total: Option<f64>,
    pub rank: Option<u32>,
    /// How many units of this kind were ranked.
    pub ranked_among: u32,
}

/// A figure of a scorecard, for the change list of a correction.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "figure", content = "indicator", rename_all = "snake_case")]
pub enum Figure {
    Raw(String),
    Points(String),
    Contribution(String),
    Weighted,
    Adjustments,
    Total,
    Rank,
}

/// Unit `unit`'s `figure` went from `from` to `to` (`None`: not there, not scored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub unit: String,
    pub figure: Figure,
    pub from: Option<f64>,
    pub to: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRun {
    period: String,
    version: u32,
    supersedes: Option<u32>,
    status: RunStatus,
    scheme: Scheme,
    units: Vec<Unit>,
    /// unit id → indicator code → figure.
    measurements: BTreeMap<String, BTreeMap<String, Measurement>>,
    adjustments: BTreeMap<String, Vec<Adjustment>>,
    objections: Vec<Objection>,
    scorecards: Vec<Scorecard>,
}

impl AssessmentRun {
    /// A first draft (version 1) for `period`. Every unit's kind must be weighted by the scheme;
    /// every figure must name a known unit and an indicator of the scheme.
    pub fn draft(
        scheme: Scheme,
        period: &str,
        units: Vec<Unit>,
        measurements: BTreeMap<String, BTreeMap<String, Measurement>>,
    ) -> Result<AssessmentRun> {
        scheme.validate()?;
        let mut seen = std::collections::BTreeSet::new();
        for u in &units {
            if !seen.insert(u.id.as_str()) {
                return Err(Error::InvalidScheme(format!("unit {} is listed twice", u.id)));
            }
            if scheme.weights_for(u.kind).is_none() {
                return Err(Error::KindNotInScheme { unit: u.id.clone(), kind: u.kind, scheme: scheme.name.clone() });
            }
        }
        let mut run = AssessmentRun {
            period: required(period, Error::InvalidScheme("a run needs a period".into()))?,
            version: 1,
            supersedes: None,
            status: RunStatus::Draft,
            scheme,
            units,
            measurements: BTreeMap::new(),
            adjustments: BTreeMap::new(),
            objections: Vec::new(),
            scorecards: Vec::new(),
        };
        for (unit, figures) in &measurements {
            for code in figures.keys() {
                run.check_figure(unit, code)?;
            }
        }
        run.measurements = measurements;
        run.recompute()?;
        Ok(run)
    }

    pub fn period(&self) -> &str {
        &self.period
    }
    pub fn version(&self) -> u32 {
        self.version
    }
    pub fn supersedes(&self) -> Option<u32> {
        self.supersedes
    }
    pub fn status(&self) -> RunStatus {
        self.status
    }
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }
    pub fn scorecards(&self) -> &[Scorecard] {
        &self.scorecards
    }
    pub fn objections(&self) -> &[Objection] {
        &self.objections
    }
    pub fn scorecard(&self, unit: &str) -> Option<&Scorecard> {
        self.scorecards.iter().find(|s| s.unit == unit)
    }

    fn unit(&self, id: &str) -> Result<&Unit> {
        self.units.iter().find(|u| u.id == id).ok_or_else(|| Error::UnknownUnit(id.to_string()))
    }

    fn check_figure(&self, unit: &str, code: &str) -> Result<()> {
        let u = self.unit(unit)?;
        let weighted = self.scheme.weights_for(u.kind).is_some_and(|ws| ws.iter().any(|w| w.indicator == code));
        if weighted {
            Ok(())
        } else {
            Err(Error::UnknownIndicator(format!("{code} (for a {:?})", u.kind)))
        }
    }

    fn mutable(&self) -> Result<()> {
        if self.status.is_frozen() {
            Err(Error::RunFrozen(self.status))
        } else {
            Ok(())
        }
    }

    /// Sets (or replaces) one unit's figure for one indicator, e.g. a manual or expert mark.
    /// The scorecards are recomputed; on error nothing changes.
    pub fn set_measurement(&mut self, unit: &str, indicator: &str, m: Measurement) -> Result<()> {
        self.mutable()?;
        self.check_figure(unit, indicator)?;
        let previous = self.measurements.entry(unit.to_string()).or_default().insert(indicator.to_string(), m);
        if let Err(e) = self.recompute() {
            let figures = self.measurements.get_mut(unit).expect("just inserted");
            match previous {
                Some(p) => figures.insert(indicator.to_string(), p),
                None => figures.remove(indicator),
            };
            return Err(e);
        }
        Ok(())
    }

    /// Adds an adjustment to a unit's score; it is kept, with its reason and author, on the
    /// scorecard.
    pub fn adjust(&mut self, unit: &str, adjustment: Adjustment) -> Result<()> {
        self.mutable()?;
        self.unit(unit)?;
        // Re-check: a deserialised or hand-built adjustment may have skipped `Adjustment::new`.
        let a = Adjustment::new(adjustment.points, &adjustment.reason, &adjustment.author)?;
        self.adjustments.entry(unit.to_string()).or_default().push(a);
        self.recompute()
    }

    /// An officer objects to their unit's draft scorecard; only during the appeal window. Returns
    /// the objection's number.
    pub fn file_objection(&mut self, unit: &str, officer: &str, reason: &str) -> Result<usize> {
        if self.status != RunStatus::AppealWindow {
            return Err(Error::NotInAppealWindow(self.status));
        }
        self.unit(unit)?;
        let o = Objection {
            unit: unit.to_string(),
            officer: required(officer, Error::AuthorRequired)?,
            reason: required(reason, Error::ReasonRequired)?,
            answer: None,
        };
        self.objections.push(o);
        Ok(self.objections.len() - 1)
    }

    /// The office answers objection `n`; only during the appeal window.
    pub fn answer_objection(&mut self, n: usize, author: &str, text: &str) -> Result<()> {
        if self.status != RunStatus::AppealWindow {
            return Err(Error::NotInAppealWindow(self.status));
        }
        let answer = Answer { author: required(author, Error::AuthorRequired)?, text: required(text, Error::ReasonRequired)? };
        self.objections.get_mut(n).ok_or(Error::UnknownObjection(n))?.answer = Some(answer);
        Ok(())
    }

    /// Moves the run one step along its workflow. Locking is refused while an objection is
    /// unanswered or a figure of the scheme is missing for some unit.
    pub fn advance(&mut self, to: RunStatus) -> Result<()> {
        if !self.status.next().contains(&to) {
            return Err(Error::TransitionNotAllowed { from: self.status, to });
        }
        if to == RunStatus::Locked {
            let open = self.objections.iter().filter(|o| o.answer.is_none()).count();
            if open > 0 {
                return Err(Error::UnansweredObjections(open));
            }
            let missing = self.scorecards.iter().flat_map(|s| &s.lines).filter(|l| l.judgement.is_none()).count();
            if missing > 0 {
                return Err(Error::MissingMeasurements(missing));
            }
        }
        self.status = to;
        Ok(())
    }

    /// A new draft version correcting this locked or published run: the same figures and
    /// adjustments, to be changed, then taken through the workflow again. Its [`diff`] against
    /// `self` is the list of what changed.
    pub fn correct(&self) -> Result<AssessmentRun> {
        if !self.status.is_frozen() {
            return Err(Error::NotFrozen(self.status));
        }
        Ok(AssessmentRun {
            version: self.version + 1,
            supersedes: Some(self.version),
            status: RunStatus::Draft,
            objections: Vec::new(),
            ..self.clone()
        })
    }

    /// Derives every scorecard from the figures and adjustments.
    fn recompute(&mut self) -> Result<()> {
        let mut cards = Vec::with_capacity(self.units.len());
        let kinds: std::collections::BTreeSet<UnitKind> = self.units.iter().map(|u| u.kind).collect();
        for kind in kinds {
            let weights = self.scheme.weights_for(kind).expect("checked when the run was drafted");
            let units: Vec<&Unit> = self.units.iter().filter(|u| u.kind == kind).collect();
            // Per indicator, score all units of the kind that have the figure, so rank-based
            // indicators rank within the kind.
            let mut judged: Vec<Vec<Option<Judgement>>> = vec![vec![None; weights.len()]; units.len()];
            for (wi, w) in weights.iter().enumerate() {
                let ind = self.scheme.indicator(&w.indicator).expect("validated scheme");
                let with: Vec<(usize, Measurement)> = units
                    .iter()
                    .enumerate()
                    .filter_map(|(ui, u)| self.measurements.get(&u.id).and_then(|f| f.get(&w.indicator)).map(|m| (ui, *m)))
                    .collect();
                let input: Vec<_> = with.iter().map(|&(ui, m)| (m, units[ui].base)).collect();
                let out = score_all(ind, &input).map_err(|e| {
                    // Name the unit when the error is one unit's (a missing base, a bad figure).
                    let culprit = with.iter().find(|&&(ui, m)| score_all(ind, &[(m, units[ui].base)]).is_err());
                    match culprit {
                        Some(&(ui, _)) => Error::InUnit { unit: units[ui].id.clone(), error: Box::new(e) },
                        None => e,
                    }
                })?;
                for (&(ui, _), j) in with.iter().zip(out) {
                    judged[ui][wi] = Some(j);
                }
            }
            let mut kind_cards: Vec<Scorecard> = units
                .iter()
                .zip(judged)
                .map(|(u, js)| {
                    let ins: Vec<WeighIn> = weights
                        .iter()
                        .zip(&js)
                        .map(|(w, j)| WeighIn {
                            weight: w.weight,
                            cap: self.scheme.indicator(&w.indicator).expect("validated").cap,
                            points: j.and_then(|j| j.points()),
                        })
                        .collect();
                    let (weighed, weighted) = weigh(&ins);
                    let lines = weights
                        .iter()
                        .zip(js)
                        .zip(ins.iter().zip(weighed))
                        .map(|((w, j), (i, o))| ScoreLine {
                            indicator: w.indicator.clone(),
                            measurement: self.measurements.get(&u.id).and_then(|f| f.get(&w.indicator)).copied(),
                            judgement: j,
                            cap: i.cap,
                            weight: w.weight,
                            effective_weight: o.effective_weight,
                            contribution: o.contribution,
                        })
                        .collect();
                    let adjustments = self.adjustments.get(&u.id).cloned().unwrap_or_default();
                    let total = weighted.map(|w| w + adjustments.iter().map(|a| a.points).sum::<f64>());
                    Scorecard {
                        unit: u.id.clone(),
                        unit_name: u.name.clone(),
                        kind,
                        lines,
                        weighted,
                        adjustments,
                        total,
                        rank: None,
                        ranked_among: 0,
                    }
                })
                .collect();
            let printed: Vec<f64> = kind_cards.iter().filter_map(|c| c.total).map(|t| (t * 100.0).round()).collect();
            let ranks = competition_ranks(&printed, true);
            let mut ranks = ranks.into_iter();
            for c in kind_cards.iter_mut().filter(|c| c.total.is_some()) {
                c.rank = ranks.next();
                c.ranked_among = printed.len() as u32;
            }
            cards.extend(kind_cards);
        }
        // Scorecards in the order the units were given.
        cards.sort_by_key(|c| self.units.iter().position(|u| u.id == c.unit));
        self.scorecards = cards;
        Ok(())
    }
}

/// What changed from `old` to `new`, unit by unit, figure by figure: the change list of a
/// correction. Units present in only one of the two runs show every figure from or to `None`.
pub fn diff(old: &AssessmentRun, new: &AssessmentRun) -> Vec<Change> {
    fn figures(c: &Scorecard) -> BTreeMap<Figure, Option<f64>> {
        let mut f = BTreeMap::new();
        for l in &c.lines {
            f.insert(Figure::Raw(l.indicator.clone()), l.measurement.map(|m| m.raw));
            f.insert(Figure::Points(l.indicator.clone()), l.judgement.and_then(|j| j.points()));
            f.insert(Figure::Contribution(l.indicator.clone()), Some(l.contribution));
        }
        f.insert(Figure::Weighted, c.weighted);
        f.insert(Figure::Adjustments, Some(c.adjustments.iter().map(|a| a.points).sum()));
        f.insert(Figure::Total, c.total);
        f.insert(Figure::Rank, c.rank.map(f64::from));
        f
    }
    let mut unit_ids: Vec<&str> = old.scorecards.iter().map(|c| c.unit.as_str()).collect();
    for c in &new.scorecards {
        if !unit_ids.contains(&c.unit.as_str()) {
            unit_ids.push(&c.unit);
        }
    }
    let mut changes = Vec::new();
    for id in unit_ids {
        let a = old.scorecard(id).map(figures).unwrap_or_default();
        let b = new.scorecard(id).map(figures).unwrap_or_default();
        let mut keys: Vec<&Figure> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let (from, to) = (a.get(k).copied().flatten(), b.get(k).copied().flatten());
            if from != to {
                changes.push(Change { unit: id.to_string(), figure: k.clone(), from, to });
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::UnitBase;
    use proptest::prelude::*;

    fn unit(id: &str, name: &str, kind: UnitKind, students: u32) -> Unit {
        Unit { id: id.into(), name: name.into(), kind, base: UnitBase { students_served: Some(students), buildings: None } }
    }

    fn units() -> Vec<Unit> {
        vec![
            unit("canteen", "饮食服务中心", UnitKind::ServiceUnit, 30_000),
            unit("dorms", "公寓管理中心", UnitKind::ServiceUnit, 25_000),
            unit("property", "物业管理中心", UnitKind::ServiceUnit, 30_000),
            unit("energy", "能源管理中心", UnitKind::ServiceUnit, 30_000),
            unit("hospital", "校医院", UnitKind::ServiceUnit, 30_000),
            unit("mining", "矿业工程学院", UnitKind::College, 3_000),
            unit("safety", "安全工程学院", UnitKind::College, 2_500),
        ]
    }

    type Figures = BTreeMap<String, BTreeMap<String, Measurement>>;

    /// Every service unit's figures for November 2017; the hospital had too few repairs to judge
    /// its repair indicators.
    fn figures() -> Figures {
        let m = Measurement::new;
        let row = |v: [(f64, u32); 8]| {
            let codes = [
                "repair_response_p90",
                "repair_within_sla",
                "false_closure_rate",
                "satisfaction",
                "complaints_per_thousand",
                "desk_satisfaction",
                "inspection",
                "expert_review",
            ];
            codes.iter().zip(v).map(|(c, (raw, n))| (c.to_string(), m(raw, n))).collect::<BTreeMap<_, _>>()
        };
        let mut f = BTreeMap::new();
        f.insert(
            "canteen".into(),
            row([(4.0, 300), (96.0, 300), (2.0, 300), (88.0, 120), (60.0, 60), (90.0, 12), (90.0, 1), (85.0, 5)]),
        );
        f.insert(
            "dorms".into(),
            row([(9.0, 900), (91.0, 900), (4.0, 900), (79.0, 300), (50.0, 50), (80.0, 30), (80.0, 1), (80.0, 5)]),
        );
        f.insert(
            "property".into(),
            row([(16.0, 2000), (70.0, 2000), (6.0, 2000), (70.0, 500), (90.0, 90), (70.0, 40), (70.0, 1), (70.0, 5)]),
        );
        f.insert(
            "energy".into(),
            row([(2.0, 80), (99.0, 80), (1.0, 80), (98.0, 30), (30.0, 30), (98.0, 5), (100.0, 1), (100.0, 5)]),
        );
        f.insert(
            "hospital".into(),
            row([(1.0, 6), (100.0, 6), (0.0, 6), (95.0, 4), (30.0, 30), (95.0, 2), (90.0, 1), (90.0, 5)]),
        );
        let college = |insp: f64, expert: f64| {
            [("inspection".to_string(), m(insp, 1)), ("expert_review".to_string(), m(expert, 3))]
                .into_iter()
                .collect::<BTreeMap<_, _>>()
        };
        f.insert("mining".into(), college(80.0, 90.0));
        f.insert("safety".into(), college(90.0, 80.0));
        f
    }

    fn run() -> AssessmentRun {
        AssessmentRun::draft(crate::Scheme::example_2017(), "2017-11", units(), figures()).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_run_computes_points_weights_totals_and_ranks() {
        let r = run();
        let c = r.scorecard("canteen").unwrap();
        let points: Vec<Option<f64>> = c.lines.iter().map(|l| l.judgement.and_then(|j| j.points())).collect();
        // p90 4 h on 16 → 2: 20 × 12/14; SLA 96 % ≥ 95 → 20; false closure 2 % ≤ 3 → 15;
        // satisfaction 88 on 60 → 98: 20 × 28/38; 2 complaints per 1,000 ranks 3rd of 5
        // (energy 1.0 and hospital 1.0 tie for 1st, then canteen 2.0, dorms 2.0 — ties — property 3.0);
        // desk 90: 10 × 30/38; inspection 90 → 9; expert 85 on 60 → 100: 10 × 25/40.
        let expect = [20.0 * 12.0 / 14.0, 20.0, 15.0, 20.0 * 28.0 / 38.0, 9.0, 10.0 * 30.0 / 38.0, 9.0, 6.25];
        for (got, want) in points.iter().zip(expect) {
            assert!(close(got.unwrap(), want), "{points:?} vs {expect:?}");
        }
        assert_eq!(r.scorecard("dorms").unwrap().lines[4].judgement.unwrap().points(), Some(9.0), "a tie shares rank 3");
        assert_eq!(r.scorecard("property").unwrap().lines[4].judgement.unwrap().points(), Some(3.0), "rank 5, not 4");
        // Weighted: weights 20,20,15,15,10,5,10,5 = 100, so contribution = weight × share.
        let w = 20.0 * 12.0 / 14.0
            + 20.0
            + 15.0
            + 15.0 * 28.0 / 38.0
            + 10.0 * 9.0 / 15.0
            + 5.0 * 30.0 / 38.0
            + 10.0 * 0.9
            + 5.0 * 0.625;
        assert!(close(c.weighted.unwrap(), w), "{:?} vs {w}", c.weighted);
        assert_eq!(c.total, c.weighted, "no adjustments yet");
        let ranks: Vec<(String, Option<u32>, u32)> =
            r.scorecards().iter().map(|c| (c.unit.clone(), c.rank, c.ranked_among)).collect();
        assert_eq!(ranks.iter().filter(|r| r.2 == 5).count(), 5, "service units ranked among themselves");
        assert_eq!(ranks.iter().filter(|r| r.2 == 2).count(), 2, "colleges among themselves");
    }

    #[test]
    fn too_few_to_judge_redistributes_the_weight() {
        let r = run();
        let h = r.scorecard("hospital").unwrap();
        // 6 repairs < 20: the three repair indicators and 4 ratings < 10 and 2 desk ratings < 5 are left out.
        let left_out: Vec<&str> = h
            .lines
            .iter()
            .filter(|l| matches!(l.judgement, Some(Judgement::TooFewToJudge { .. })))
            .map(|l| l.indicator.as_str())
            .collect();
        assert_eq!(
            left_out,
            ["repair_response_p90", "repair_within_sla", "false_closure_rate", "satisfaction", "desk_satisfaction"]
        );
        // What is left: complaints 10 (rank 1 → 15/15), inspection 10 (0.9), expert 5 (0.75), over 25.
        let eff: Vec<f64> = h.lines.iter().map(|l| l.effective_weight).collect();
        assert_eq!(eff, [0.0, 0.0, 0.0, 0.0, 40.0, 0.0, 40.0, 20.0]);
        assert!(close(h.weighted.unwrap(), 40.0 + 36.0 + 15.0));
        // Colleges' weights sum to 80: renormalised, mining = (50 × 0.8 + 30 × 0.75) / 80 × 100.
        let m = r.scorecard("mining").unwrap();
        assert!(close(m.weighted.unwrap(), (50.0 * 0.8 + 30.0 * 0.75) / 80.0 * 100.0));
    }

    #[test]
    fn adjustments_need_a_reason_and_an_author_and_ties_share_a_rank() {
        let mut r = run();
        assert_eq!(Adjustment::new(2.0, "  ", "王老师"), Err(Error::ReasonRequired));
        assert_eq!(Adjustment::new(2.0, "迎新保障", ""), Err(Error::AuthorRequired));
        let sneaky = Adjustment { points: 2.0, reason: "".into(), author: "王老师".into() };
        assert_eq!(r.adjust("mining", sneaky), Err(Error::ReasonRequired), "the run re-checks a hand-built adjustment");
        // Bring the colleges level: mining 78.125 and safety (50 × 0.9 + 30 × 0.5) / 80 × 100 = 75.
        let gap = r.scorecard("safety").unwrap().total.unwrap() - r.scorecard("mining").unwrap().total.unwrap();
        assert!(close(gap, 75.0 - 78.125), "{gap}");
        r.adjust("safety", Adjustment::new(-gap, "实验室安全检查扣分", "王老师").unwrap()).unwrap();
        let (m, s) = (r.scorecard("mining").unwrap(), r.scorecard("safety").unwrap());
        assert_eq!(s.adjustments[0].reason, "实验室安全检查扣分", "the reason stays on the scorecard");
        assert_eq!((m.rank, s.rank), (Some(1), Some(1)), "equal printed totals share rank 1");
        assert!(matches!(r.adjust("nowhere", Adjustment::new(1.0, "x", "y").unwrap()), Err(Error::UnknownUnit(_))));
    }

    #[test]
    fn workflow_follows_next_and_locked_runs_refuse_every_change() {
        let mut r = run();
        assert_eq!(
            r.advance(RunStatus::Locked),
            Err(Error::TransitionNotAllowed { from: RunStatus::Draft, to: RunStatus::Locked }),
            "the appeal window cannot be skipped"
        );
        assert_eq!(r.file_objection("dorms", "李专员", "报修数据含测试单"), Err(Error::NotInAppealWindow(RunStatus::Draft)));
        r.advance(RunStatus::AppealWindow).unwrap();
        let n = r.file_objection("dorms", "李专员", "报修数据含测试单").unwrap();
        assert_eq!(r.file_objection("dorms", "李专员", " "), Err(Error::ReasonRequired));
        assert_eq!(r.advance(RunStatus::Locked), Err(Error::UnansweredObjections(1)));
        r.set_measurement("dorms", "repair_within_sla", Measurement::new(93.0, 880)).unwrap();
        r.answer_objection(n, "王老师", "已剔除 20 张测试单").unwrap();
        r.advance(RunStatus::Locked).unwrap();

        let before = r.clone();
        let frozen = Err(Error::RunFrozen(RunStatus::Locked));
        assert_eq!(r.set_measurement("dorms", "inspection", Measurement::new(100.0, 1)), frozen);
        assert_eq!(r.adjust("dorms", Adjustment::new(5.0, "x", "y").unwrap()), frozen);
        assert_eq!(r.file_objection("dorms", "李专员", "再议"), Err(Error::NotInAppealWindow(RunStatus::Locked)));
        assert!(r.advance(RunStatus::Draft).is_err() && r.advance(RunStatus::AppealWindow).is_err());
        assert_eq!(r, before, "a refused change leaves the run exactly as it was");
        r.advance(RunStatus::Published).unwrap();
        assert_eq!(r.adjust("dorms", Adjustment::new(5.0, "x", "y").unwrap()), Err(Error::RunFrozen(RunStatus::Published)));
        assert!(RunStatus::Published.next().is_empty());
    }

    #[test]
    fn locking_needs_every_figure_entered() {
        let mut f = figures();
        f.get_mut("safety").unwrap().remove("expert_review");
        let mut r = AssessmentRun::draft(crate::Scheme::example_2017(), "2017-11", units(), f).unwrap();
        assert_eq!(r.scorecard("safety").unwrap().lines[1].judgement, None, "shown as not entered");
        r.advance(RunStatus::AppealWindow).unwrap();
        assert_eq!(r.advance(RunStatus::Locked), Err(Error::MissingMeasurements(1)));
        r.set_measurement("safety", "expert_review", Measurement::new(80.0, 3)).unwrap();
        r.advance(RunStatus::Locked).unwrap();
    }

    #[test]
    fn a_correction_is_a_new_version_with_a_change_list() {
        let mut r = run();
        assert_eq!(r.correct().unwrap_err(), Error::NotFrozen(RunStatus::Draft));
        r.advance(RunStatus::AppealWindow).unwrap();
        r.advance(RunStatus::Locked).unwrap();
        r.advance(RunStatus::Published).unwrap();
        let mut v2 = r.correct().unwrap();
        assert_eq!((v2.version(), v2.supersedes(), v2.status()), (2, Some(1), RunStatus::Draft));
        assert!(diff(&r, &v2).is_empty(), "an untouched correction changes nothing");
        v2.set_measurement("safety", "inspection", Measurement::new(100.0, 1)).unwrap();
        let changes = diff(&r, &v2);
        let figs: Vec<&Figure> = changes.iter().map(|c| &c.figure).collect();
        assert!(changes.iter().all(|c| c.unit == "safety" || c.unit == "mining"), "{changes:?}");
        assert!(figs.contains(&&Figure::Raw("inspection".into())));
        let raw = changes.iter().find(|c| c.figure == Figure::Raw("inspection".into())).unwrap();
        assert_eq!((raw.from, raw.to), (Some(90.0), Some(100.0)));
        let total = changes.iter().find(|c| c.unit == "safety" && c.figure == Figure::Total).unwrap();
        assert!(close(total.from.unwrap(), 75.0) && close(total.to.unwrap(), (50.0 * 1.0 + 30.0 * 0.5) / 80.0 * 100.0));
        // Safety (81.25) passed mining (78.125): both ranks appear in the list.
        assert!(changes
            .iter()
            .any(|c| c.unit == "mining" && c.figure == Figure::Rank && c.from == Some(1.0) && c.to == Some(2.0)));
        assert!(changes
            .iter()
            .any(|c| c.unit == "safety" && c.figure == Figure::Rank && c.from == Some(2.0) && c.to == Some(1.0)));
        assert_eq!(r.status(), RunStatus::Published, "the published version is untouched");
        assert_eq!(r.scorecard("safety").unwrap().lines[0].measurement.unwrap().raw, 90.0);
    }

    #[test]
    fn errors_name_the_unit_and_refuse_unknown_figures() {
        let mut f = figures();
        f.insert("nowhere".into(), BTreeMap::new());
        f.get_mut("nowhere").unwrap().insert("inspection".into(), Measurement::new(1.0, 1));
        let e = AssessmentRun::draft(crate::Scheme::example_2017(), "2017-11", units(), f);
        assert_eq!(e.unwrap_err(), Error::UnknownUnit("nowhere".into()));
        let mut r = run();
        assert!(matches!(
            r.set_measurement("mining", "satisfaction", Measurement::new(1.0, 100)),
            Err(Error::UnknownIndicator(_))
        ));
        let before = r.clone();
        let mut us = units();
        us[0].base.students_served = None;
        let e = AssessmentRun::draft(crate::Scheme::example_2017(), "2017-11", us, figures()).unwrap_err();
        assert!(matches!(e, Error::InUnit { ref unit, .. } if unit == "canteen"), "{e}");
        assert!(r.set_measurement("canteen", "inspection", Measurement::new(f64::NAN, 1)).is_err());
        assert_eq!(r, before, "a figure that fails to score is not kept");
        let office = Unit { id: "finance".into(), name: "财务处".into(), kind: UnitKind::Office, base: UnitBase::default() };
        let e = AssessmentRun::draft(crate::Scheme::example_2017(), "2017-11", vec![office], BTreeMap::new()).unwrap_err();
        assert!(matches!(e, Error::KindNotInScheme { .. }));
    }

    #[test]
    fn workflow_table() {
        for s in RunStatus::ALL {
            for t in s.next() {
                assert!(!s.is_frozen() || t.is_frozen(), "{s:?} → {t:?}: nothing leaves the frozen states");
            }
        }
        assert_eq!(RunStatus::Draft.next(), &[RunStatus::AppealWindow]);
    }

    proptest! {
        /// Random figures and adjustments for the colleges: ranks are standard competition ranks of
        /// the printed totals, and every total is its weighted score plus its adjustments.
        #[test]
        fn ranks_and_totals_hold_for_any_figures(
            marks in proptest::collection::vec((0u8..=10, 0u8..=10, -2i8..=2), 2..12),
        ) {
            let units: Vec<Unit> = (0..marks.len()).map(|i| unit(&format!("c{i}"), "学院", UnitKind::College, 1000)).collect();
            let mut f: Figures = BTreeMap::new();
            for (i, &(a, b, _)) in marks.iter().enumerate() {
                let e = f.entry(format!("c{i}")).or_default();
                e.insert("inspection".into(), Measurement::new(a as f64 * 10.0, 1));
                e.insert("expert_review".into(), Measurement::new(60.0 + b as f64 * 4.0, 3));
            }
            let mut r = AssessmentRun::draft(crate::Scheme::example_2017(), "2017-11", units, f).unwrap();
            for (i, &(_, _, adj)) in marks.iter().enumerate() {
                if adj != 0 {
                    r.adjust(&format!("c{i}"), Adjustment::new(adj as f64, "加减分", "王老师").unwrap()).unwrap();
                }
            }
            let cards = r.scorecards();
            for c in cards {
                let t = c.total.unwrap();
                let adj: f64 = c.adjustments.iter().map(|a| a.points).sum();
                prop_assert!(close(t, c.weighted.unwrap() + adj));
                prop_assert!((0.0..=100.0 + 1e-9).contains(&c.weighted.unwrap()));
                let printed = |x: f64| (x * 100.0).round();
                let ahead = cards.iter().filter(|o| printed(o.total.unwrap()) > printed(t)).count();
                prop_assert_eq!(c.rank, Some(ahead as u32 + 1));
            }
        }
    }
}
