//! Indicators (考核指标) and their scoring rules: how one raw figure of one unit — a median response
//! time, a satisfaction rate, an expert panel's mark — becomes points.
//!
//! An indicator says where its figure comes from ([`Source`]), which way is better
//! ([`Direction`]), how many points it is worth at most (`cap`), below how many tickets it is
//! "too few to judge" (`min_sample`: a unit with three repairs in a month is not scored on noise;
//! the indicator is left out and its weight goes to the others, see [`crate::scheme`]), and whether
//! the figure is divided per 1,000 students served or per building first, so a large canteen is
//! not punished for being large.
//!
//! Every rule is monotone in the indicator's direction (a better figure never earns fewer points)
//! and bounded in `[0, cap]`; both are property-tested below. Rank-based scoring needs every
//! unit's figure at once, hence [`score_all`].

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Computed from the service platform's tickets (报修, 吐槽).
    PlatformMetric,
    /// Computed from the one-stop desk's tickets (一站式服务).
    DeskMetric,
    /// Entered by office staff (e.g. an inspection mark).
    Manual,
    /// The mean mark of an expert panel (专家评分); the sample is the number of experts.
    Expert,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Satisfaction, share completed within the SLA.
    HigherBetter,
    /// Response time, reopen rate, complaints per 1,000 students.
    LowerBetter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalisation {
    #[default]
    None,
    PerThousandStudents,
    PerBuilding,
}

impl Normalisation {
    fn label(self) -> &'static str {
        match self {
            Normalisation::None => "nothing",
            Normalisation::PerThousandStudents => "1,000 students served",
            Normalisation::PerBuilding => "building",
        }
    }
}

/// What a unit is measured against when an indicator is normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UnitBase {
    #[serde(default)]
    pub students_served: Option<u32>,
    #[serde(default)]
    pub buildings: Option<u32>,
}

/// One step of a banded rule: a figure at `threshold` or better earns `points`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub threshold: f64,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoringRule {
    /// `worst` or worse earns 0, `best` or better earns the cap, linear in between. For a
    /// lower-better indicator `best < worst`.
    Linear { worst: f64, best: f64 },
    /// The points of the best band the figure reaches ("at or above" the threshold for
    /// higher-better, "at or below" for lower-better); reaching none earns 0.
    Banded { bands: Vec<Band> },
    /// Meeting the indicator's `target` earns the cap; short of it, the cap in proportion
    /// (`figure / target` for higher-better, `target / figure` for lower-better).
    TargetBased,
    /// Rank among the units of the same kind that were judged (ties share a rank, 1, 2, 2, 4):
    /// rank r earns `points[r − 1]`, ranks past the list earn 0.
    RankBased { points: Vec<f64> },
}

/// An indicator of the library. Its definition is checked by [`Indicator::validate`] before any
/// scoring, so an inconsistent one (a "higher-better" linear rule whose best is below its worst) is
/// an error, not a silently inverted score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub source: Source,
    pub direction: Direction,
    #[serde(default)]
    pub target: Option<f64>,
    pub rule: ScoringRule,
    /// The most points the indicator can give (满分).
    pub cap: f64,
    /// Fewer tickets (or experts) than this: too few to judge.
    #[serde(default)]
    pub min_sample: u32,
    #[serde(default)]
    pub normalisation: Normalisation,
}

/// One unit's figure for one indicator, before normalisation, with how many tickets (or experts,
/// or inspections) it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub raw: f64,
    pub sample: u32,
}

impl Measurement {
    pub fn new(raw: f64, sample: u32) -> Measurement {
        Measurement { raw, sample }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Judgement {
    /// `value` is the figure after normalisation, the one the rule was applied to.
    Scored { value: f64, points: f64 },
    /// Left out of the weighted score; shown on the scorecard as 样本不足.
    TooFewToJudge { sample: u32, minimum: u32 },
}

impl Judgement {
    pub fn points(self) -> Option<f64> {
        match self {
            Judgement::Scored { points, .. } => Some(points),
            Judgement::TooFewToJudge { .. } => None,
        }
    }
}

impl Indicator {
    fn invalid(&self, why: impl Into<String>) -> Error {
        Error::InvalidIndicator { code: self.code.clone(), why: why.into() }
    }

    /// `true` when `a` is a better figure than `b` for this indicator.
    fn better(&self, a: f64, b: f64) -> bool {
        match self.direction {
            Direction::HigherBetter => a > b,
            Direction::LowerBetter => a < b,
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.code.trim().is_empty() {
            return Err(self.invalid("the code is empty"));
        }
        if !(self.cap.is_finite() && self.cap > 0.0) {
            return Err(self.invalid(format!("the cap must be a positive number, not {}", self.cap)));
        }
        let points_ok = |p: f64| p.is_finite() && (0.0..=self.cap).contains(&p);
        match &self.rule {
            ScoringRule::Linear { worst, best } => {
                let consistent = worst.is_finite() && best.is_finite() && self.better(*best, *worst);
                if !consistent {
                    return Err(
                        self.invalid(format!("for {:?}, best ({best}) must be better than worst ({worst})", self.direction))
                    );
                }
            }
            ScoringRule::Banded { bands } => {
                if bands.is_empty() {
                    return Err(self.invalid("a banded rule needs at least one band"));
                }
                if let Some(b) = bands.iter().find(|b| !b.threshold.is_finite() || !points_ok(b.points)) {
                    return Err(
                        self.invalid(format!("band {} → {} is not a number within 0..={}", b.threshold, b.points, self.cap))
                    );
                }
                let mut sorted = bands.clone();
                sorted.sort_by(|a, b| a.threshold.total_cmp(&b.threshold));
                for w in sorted.windows(2) {
                    if w[0].threshold == w[1].threshold {
                        return Err(self.invalid(format!("two bands start at {}", w[0].threshold)));
                    }
                    // Sorted ascending, so the better band is w[1] for higher-better, w[0] otherwise.
                    let (worse, better) = match self.direction {
                        Direction::HigherBetter => (w[0], w[1]),
                        Direction::LowerBetter => (w[1], w[0]),
                    };
                    if better.points < worse.points {
                        return Err(self.invalid(format!(
                            "band {} earns fewer points than the worse band {}",
                            better.threshold, worse.threshold
                        )));
                    }
                }
            }
            ScoringRule::TargetBased => match self.target {
                Some(t) if t.is_finite() && t > 0.0 => {}
                other => return Err(self.invalid(format!("a target-based rule needs a positive target, not {other:?}"))),
            },
            ScoringRule::RankBased { points } => {
                if points.is_empty() {
                    return Err(self.invalid("a rank-based rule needs the points of rank 1 at least"));
                }
                if let Some(p) = points.iter().find(|p| !points_ok(**p)) {
                    return Err(self.invalid(format!("rank points {p} are not within 0..={}", self.cap)));
                }
                if points.windows(2).any(|w| w[1] > w[0]) {
                    return Err(self.invalid("a lower rank cannot earn more points than a higher one"));
                }
            }
        }
        if let Some(t) = self.target {
            if !t.is_finite() {
                return Err(self.invalid("the target is not a number"));
            }
        }
        Ok(())
    }

    /// The figure the rule sees: `raw`, or `raw` per 1,000 students served / per building.
    fn normalise(&self, raw: f64, base: &UnitBase) -> Result<f64> {
        let missing = || Error::MissingBase { indicator: self.code.clone(), per: self.normalisation.label() };
        match self.normalisation {
            Normalisation::None => Ok(raw),
            Normalisation::PerThousandStudents => match base.students_served {
                Some(n) if n > 0 => Ok(raw * 1000.0 / n as f64),
                _ => Err(missing()),
            },
            Normalisation::PerBuilding => match base.buildings {
                Some(n) if n > 0 => Ok(raw / n as f64),
                _ => Err(missing()),
            },
        }
    }

    /// Points of a figure under a rule that needs no other unit.
    fn points_of(&self, v: f64) -> f64 {
        let p = match &self.rule {
            ScoringRule::Linear { worst, best } => self.cap * ((v - worst) / (best - worst)).clamp(0.0, 1.0),
            ScoringRule::Banded { bands } => bands
                .iter()
                .filter(|b| match self.direction {
                    Direction::HigherBetter => v >= b.threshold,
                    Direction::LowerBetter => v <= b.threshold,
                })
                .map(|b| b.points)
                .fold(0.0, f64::max),
            ScoringRule::TargetBased => {
                let t = self.target.unwrap_or(f64::NAN);
                match self.direction {
                    Direction::HigherBetter if v >= t => self.cap,
                    Direction::HigherBetter => self.cap * v.max(0.0) / t,
                    Direction::LowerBetter if v <= t => self.cap,
                    Direction::LowerBetter => self.cap * t / v,
                }
            }
            ScoringRule::RankBased { .. } => unreachable!("rank-based points are given by score_all"),
        };
        // The cap is held whatever the rule said; NaN cannot come out of validated rules on a
        // finite figure, but would score 0 rather than poison a total.
        if p.is_nan() {
            0.0
        } else {
            p.clamp(0.0, self.cap)
        }
    }
}

/// The sample rule first (too few tickets: no figure needed at all), then the figure.
fn judge_value(ind: &Indicator, m: &Measurement, base: &UnitBase) -> Result<std::result::Result<f64, Judgement>> {
    if m.sample < ind.min_sample {
        return Ok(Err(Judgement::TooFewToJudge { sample: m.sample, minimum: ind.min_sample }));
    }
    if !m.raw.is_finite() {
        return Err(ind.invalid(format!("the figure {} is not a number", m.raw)));
    }
    Ok(Ok(ind.normalise(m.raw, base)?))
}

/// Scores one unit's figure. A rank-based indicator is refused ([`Error::NeedsAllUnits`]): use
/// [`score_all`].
pub fn score(ind: &Indicator, m: &Measurement, base: &UnitBase) -> Result<Judgement> {
    ind.validate()?;
    if matches!(ind.rule, ScoringRule::RankBased { .. }) {
        return Err(Error::NeedsAllUnits(ind.code.clone()));
    }
    Ok(match judge_value(ind, m, base)? {
        Ok(value) => Judgement::Scored { value, points: ind.points_of(value) },
        Err(too_few) => too_few,
    })
}

/// Scores every unit's figure for one indicator, in the order given. For a rank-based rule the
/// units too few to judge are left out of the ranking, so they neither take a rank nor push others
/// down.
pub fn score_all(ind: &Indicator, units: &[(Measurement, UnitBase)]) -> Result<Vec<Judgement>> {
    ind.validate()?;
    let ScoringRule::RankBased { points } = &ind.rule else {
        return units.iter().map(|(m, b)| score(ind, m, b)).collect();
    };
    let values = units.iter().map(|(m, b)| judge_value(ind, m, b)).collect::<Result<Vec<_>>>()?;
    let judged: Vec<f64> = values.iter().filter_map(|v| v.as_ref().ok().copied()).collect();
    let ranks = competition_ranks(&judged, ind.direction == Direction::HigherBetter);
    let mut ranks = ranks.into_iter();
    Ok(values
        .into_iter()
        .map(|v| match v {
            Ok(value) => {
                let rank = ranks.next().expect("one rank per judged unit");
                let p = points.get(rank as usize - 1).copied().unwrap_or(0.0).clamp(0.0, ind.cap);
                Judgement::Scored { value, points: p }
            }
            Err(too_few) => too_few,
        })
        .collect())
}

/// Standard competition ranks ("1224") of `values` in their given order: equal values share the
/// rank of the first of them, and the next value's rank counts everyone before it.
/// `higher_first`: the largest value is rank 1.
pub fn competition_ranks(values: &[f64], higher_first: bool) -> Vec<u32> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        let o = values[a].total_cmp(&values[b]);
        if higher_first {
            o.reverse()
        } else {
            o
        }
    });
    let mut ranks = vec![0u32; values.len()];
    for (pos, &i) in order.iter().enumerate() {
        ranks[i] = match pos.checked_sub(1).map(|p| order[p]) {
            Some(prev) if values[prev] == values[i] => ranks[prev],
            _ => pos as u32 + 1,
        };
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn indicator(direction: Direction, rule: ScoringRule) -> Indicator {
        Indicator {
            code: "t".into(),
            name: "测试".into(),
            source: Source::PlatformMetric,
            direction,
            target: Some(10.0),
            rule,
            cap: 20.0,
            min_sample: 5,
            normalisation: Normalisation::None,
        }
    }

    fn pts(ind: &Indicator, raw: f64) -> f64 {
        score(ind, &Measurement::new(raw, 100), &UnitBase::default()).unwrap().points().unwrap()
    }

    #[test]
    fn linear_between_thresholds() {
        // Median response 2 h or less → 20 points, 8 h or more → 0.
        let ind = indicator(Direction::LowerBetter, ScoringRule::Linear { worst: 8.0, best: 2.0 });
        assert_eq!(pts(&ind, 1.0), 20.0);
        assert_eq!(pts(&ind, 2.0), 20.0);
        assert_eq!(pts(&ind, 5.0), 10.0);
        assert_eq!(pts(&ind, 6.5), 5.0);
        assert_eq!(pts(&ind, 8.0), 0.0);
        assert_eq!(pts(&ind, 30.0), 0.0);
    }

    #[test]
    fn banded_steps() {
        // Satisfaction ≥ 95 % → 20, ≥ 90 % → 15, ≥ 80 % → 8, below → 0.
        let bands = vec![
            Band { threshold: 90.0, points: 15.0 },
            Band { threshold: 95.0, points: 20.0 },
            Band { threshold: 80.0, points: 8.0 },
        ];
        let ind = indicator(Direction::HigherBetter, ScoringRule::Banded { bands });
        assert_eq!(pts(&ind, 99.0), 20.0);
        assert_eq!(pts(&ind, 95.0), 20.0, "a threshold reached is in the band");
        assert_eq!(pts(&ind, 94.9), 15.0);
        assert_eq!(pts(&ind, 80.0), 8.0);
        assert_eq!(pts(&ind, 79.9), 0.0);
        // Reopen rate ≤ 2 % → 20, ≤ 5 % → 10.
        let bands = vec![Band { threshold: 2.0, points: 20.0 }, Band { threshold: 5.0, points: 10.0 }];
        let ind = indicator(Direction::LowerBetter, ScoringRule::Banded { bands });
        assert_eq!(pts(&ind, 1.0), 20.0);
        assert_eq!(pts(&ind, 3.0), 10.0);
        assert_eq!(pts(&ind, 5.1), 0.0);
    }

    #[test]
    fn target_based() {
        let ind = indicator(Direction::HigherBetter, ScoringRule::TargetBased);
        assert_eq!(pts(&ind, 12.0), 20.0);
        assert_eq!(pts(&ind, 10.0), 20.0);
        assert_eq!(pts(&ind, 7.5), 15.0);
        assert_eq!(pts(&ind, -3.0), 0.0);
        let ind = indicator(Direction::LowerBetter, ScoringRule::TargetBased);
        assert_eq!(pts(&ind, 0.0), 20.0);
        assert_eq!(pts(&ind, 20.0), 10.0, "twice the target, half the points");
    }

    #[test]
    fn rank_based_needs_all_units_and_ties_share_points() {
        let ind = indicator(Direction::LowerBetter, ScoringRule::RankBased { points: vec![20.0, 15.0, 10.0] });
        assert_eq!(score(&ind, &Measurement::new(1.0, 10), &UnitBase::default()), Err(Error::NeedsAllUnits("t".into())));
        let m = |raw, sample| (Measurement::new(raw, sample), UnitBase::default());
        let got = score_all(&ind, &[m(3.0, 10), m(1.0, 10), m(3.0, 10), m(0.5, 2), m(4.0, 10), m(9.0, 10)]).unwrap();
        let p: Vec<Option<f64>> = got.iter().map(|j| j.points()).collect();
        // Ranks among the judged: 1.0 → 1, 3.0 and 3.0 → 2, 4.0 → 4, 9.0 → 5; 0.5 rests on 2 tickets.
        assert_eq!(p, vec![Some(15.0), Some(20.0), Some(15.0), None, Some(0.0), Some(0.0)]);
    }

    #[test]
    fn competition_ranking_1224() {
        assert_eq!(competition_ranks(&[90.0, 95.0, 90.0, 80.0], true), vec![2, 1, 2, 4]);
        assert_eq!(competition_ranks(&[1.0, 1.0, 1.0], true), vec![1, 1, 1]);
        assert_eq!(competition_ranks(&[3.0, 1.0, 2.0], false), vec![3, 1, 2]);
        assert_eq!(competition_ranks(&[], true), Vec::<u32>::new());
    }

    #[test]
    fn minimum_sample_leaves_the_indicator_out() {
        let ind = indicator(Direction::LowerBetter, ScoringRule::Linear { worst: 8.0, best: 2.0 });
        let base = UnitBase::default();
        assert_eq!(score(&ind, &Measurement::new(1.0, 4), &base), Ok(Judgement::TooFewToJudge { sample: 4, minimum: 5 }));
        assert!(
            matches!(score(&ind, &Measurement::new(1.0, 5), &base), Ok(Judgement::Scored { .. })),
            "exactly the minimum is judged"
        );
        // Too few is decided before the figure is looked at: a unit without a base is not an error then.
        let per = Indicator { normalisation: Normalisation::PerThousandStudents, ..ind.clone() };
        assert!(matches!(score(&per, &Measurement::new(f64::NAN, 0), &base), Ok(Judgement::TooFewToJudge { .. })));
    }

    #[test]
    fn normalisation_per_thousand_students_and_per_building() {
        let ind = Indicator {
            normalisation: Normalisation::PerThousandStudents,
            ..indicator(Direction::LowerBetter, ScoringRule::Linear { worst: 10.0, best: 0.0 })
        };
        let big = UnitBase { students_served: Some(20_000), buildings: None };
        let small = UnitBase { students_served: Some(2_000), buildings: None };
        let j = score(&ind, &Measurement::new(40.0, 40), &big).unwrap();
        assert_eq!(j, Judgement::Scored { value: 2.0, points: 16.0 }, "40 complaints over 20,000 students = 2 per 1,000");
        assert_eq!(score(&ind, &Measurement::new(10.0, 10), &small).unwrap(), Judgement::Scored { value: 5.0, points: 10.0 });
        assert!(matches!(score(&ind, &Measurement::new(1.0, 10), &UnitBase::default()), Err(Error::MissingBase { .. })));
        let ind = Indicator { normalisation: Normalisation::PerBuilding, ..ind };
        let b = UnitBase { students_served: None, buildings: Some(8) };
        assert_eq!(score(&ind, &Measurement::new(24.0, 24), &b).unwrap(), Judgement::Scored { value: 3.0, points: 14.0 });
    }

    #[test]
    fn inconsistent_definitions_are_refused() {
        let bad = |ind: Indicator| matches!(ind.validate(), Err(Error::InvalidIndicator { .. }));
        assert!(bad(indicator(Direction::HigherBetter, ScoringRule::Linear { worst: 8.0, best: 2.0 })), "inverted linear");
        assert!(bad(indicator(Direction::LowerBetter, ScoringRule::Linear { worst: 2.0, best: 2.0 })), "empty linear");
        assert!(bad(Indicator { cap: 0.0, ..indicator(Direction::HigherBetter, ScoringRule::TargetBased) }));
        assert!(bad(Indicator { target: None, ..indicator(Direction::HigherBetter, ScoringRule::TargetBased) }));
        assert!(bad(Indicator { target: Some(0.0), ..indicator(Direction::HigherBetter, ScoringRule::TargetBased) }));
        let bands = vec![Band { threshold: 90.0, points: 20.0 }, Band { threshold: 95.0, points: 15.0 }];
        assert!(bad(indicator(Direction::HigherBetter, ScoringRule::Banded { bands })), "a better band earning less");
        let bands = vec![Band { threshold: 90.0, points: 25.0 }];
        assert!(bad(indicator(Direction::HigherBetter, ScoringRule::Banded { bands })), "band points above the cap");
        assert!(bad(indicator(Direction::HigherBetter, ScoringRule::RankBased { points: vec![10.0, 15.0] })));
        assert!(bad(indicator(Direction::HigherBetter, ScoringRule::RankBased { points: vec![] })));
        assert!(bad(Indicator { code: " ".into(), ..indicator(Direction::HigherBetter, ScoringRule::TargetBased) }));
    }

    #[test]
    fn definitions_round_trip_through_json() {
        let json = r#"{"code":"resp_median","name":"响应时间中位数","source":"platform_metric","direction":"lower_better",
            "rule":{"kind":"linear","worst":8,"best":2},"cap":20,"min_sample":10}"#;
        let ind: Indicator = serde_json::from_str(json).unwrap();
        assert_eq!(ind.normalisation, Normalisation::None);
        assert_eq!(pts(&ind, 5.0), 10.0);
        let back: Indicator = serde_json::from_str(&serde_json::to_string(&ind).unwrap()).unwrap();
        assert_eq!(back, ind);
    }

    /// Any valid indicator: each rule, each direction, a cap, random thresholds.
    fn any_indicator() -> impl Strategy<Value = Indicator> {
        let direction = prop_oneof![Just(Direction::HigherBetter), Just(Direction::LowerBetter)];
        (
            direction,
            0u8..4,
            1.0f64..100.0,
            -50.0f64..50.0,
            0.1f64..50.0,
            proptest::collection::vec((-50.0f64..50.0, 0.0f64..1.0), 1..6),
        )
            .prop_map(|(direction, which, cap, a, span, raw_bands)| {
                let (worst, best) = match direction {
                    Direction::HigherBetter => (a, a + span),
                    Direction::LowerBetter => (a + span, a),
                };
                let rule = match which {
                    0 => ScoringRule::Linear { worst, best },
                    1 => {
                        // Points rising with how good the threshold is, within the cap.
                        let mut th: Vec<f64> = raw_bands.iter().map(|b| b.0).collect();
                        th.sort_by(f64::total_cmp);
                        th.dedup();
                        let mut fr: Vec<f64> = raw_bands.iter().map(|b| b.1).collect();
                        fr.sort_by(f64::total_cmp);
                        if direction == Direction::LowerBetter {
                            fr.reverse();
                        }
                        ScoringRule::Banded {
                            bands: th.iter().zip(fr).map(|(&t, f)| Band { threshold: t, points: f * cap }).collect(),
                        }
                    }
                    2 => ScoringRule::TargetBased,
                    _ => {
                        let mut fr: Vec<f64> = raw_bands.iter().map(|b| b.1 * cap).collect();
                        fr.sort_by(|a, b| b.total_cmp(a));
                        ScoringRule::RankBased { points: fr }
                    }
                };
                Indicator {
                    code: "p".into(),
                    name: "p".into(),
                    source: Source::Manual,
                    direction,
                    target: Some(span),
                    rule,
                    cap,
                    min_sample: 3,
                    normalisation: Normalisation::None,
                }
            })
    }

    proptest! {
        #[test]
        fn monotone_in_direction_and_bounded_by_the_cap(
            ind in any_indicator(),
            raws in proptest::collection::vec(-100.0f64..100.0, 1..12),
        ) {
            prop_assert!(ind.validate().is_ok(), "the generator makes valid indicators: {:?}", ind.validate());
            let units: Vec<(Measurement, UnitBase)> =
                raws.iter().map(|&r| (Measurement::new(r, 10), UnitBase::default())).collect();
            let got = score_all(&ind, &units).unwrap();
            for (i, a) in got.iter().enumerate() {
                let pa = a.points().unwrap();
                prop_assert!((0.0..=ind.cap).contains(&pa), "points {} outside 0..={}", pa, ind.cap);
                for (j, b) in got.iter().enumerate() {
                    let pb = b.points().unwrap();
                    if ind.better(raws[i], raws[j]) {
                        prop_assert!(pa >= pb, "{:?}: a better figure {} earned {} < {} for {}", ind.rule, raws[i], pa, pb, raws[j]);
                    }
                    if raws[i] == raws[j] {
                        prop_assert_eq!(pa, pb, "equal figures, equal points");
                    }
                }
            }
        }

        #[test]
        fn below_the_minimum_sample_is_never_scored(ind in any_indicator(), raw in -100.0f64..100.0, sample in 0u32..10) {
            let got = score_all(&ind, &[(Measurement::new(raw, sample), UnitBase::default())]).unwrap();
            if sample < ind.min_sample {
                prop_assert_eq!(got[0], Judgement::TooFewToJudge { sample, minimum: ind.min_sample });
            } else {
                prop_assert!(got[0].points().is_some());
            }
        }

        #[test]
        fn ranks_count_the_units_strictly_ahead(values in proptest::collection::vec(0u8..6, 0..20)) {
            let v: Vec<f64> = values.iter().map(|&x| x as f64).collect();
            let r = competition_ranks(&v, true);
            for (i, &ri) in r.iter().enumerate() {
                prop_assert_eq!(ri as usize, 1 + v.iter().filter(|&&o| o > v[i]).count());
                // The rank is no worse than any unit with a lower figure.
                for (j, &rj) in r.iter().enumerate() {
                    if v[i] > v[j] { prop_assert!(ri < rj); }
                    if v[i] == v[j] { prop_assert_eq!(ri, rj); }
                }
            }
        }
    }
}
