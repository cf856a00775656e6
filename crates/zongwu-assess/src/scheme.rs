//! Assessment schemes (考核方案): which indicators count for which kind of unit, and how much.
//!
//! A scheme is versioned: once a run used version 3, changing a weight makes version 4, so every
//! published scorecard can say which rules it was scored by.
//!
//! **The weighting rule.** Each indicator's points are first taken as a share of its own cap
//! (`points / cap`, in 0..=1). The weights of a kind are percentages but need not sum to 100:
//! they are renormalised over the indicators that were actually scored for the unit, so
//!
//! ```text
//! effective weight_i = weight_i × 100 / Σ weight_j over the scored indicators j
//! contribution_i     = effective weight_i × points_i / cap_i
//! weighted score     = Σ contribution_i                 (0..=100)
//! ```
//!
//! An indicator left out as too few to judge (or not yet entered) therefore has its weight
//! redistributed over the others in proportion to their weights, and a unit is neither rewarded
//! nor punished for a quiet month. A unit with no scored indicator has no weighted score (and no
//! rank), rather than 0.

use crate::scoring::{Band, Direction, Indicator, Normalisation, ScoringRule, Source, UnitBase};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 服务单位: 饮食服务中心, 公寓管理中心, 物业管理中心, 能源管理中心, 校医院 …
    ServiceUnit,
    /// 学院
    College,
    /// 机关部门
    Office,
}

/// A unit as the assessment sees it. Units are ranked only against units of the same kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    #[serde(default)]
    pub base: UnitBase,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weight {
    pub indicator: String,
    /// In percent; see the module header for weights that do not sum to 100.
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindWeights {
    pub kind: UnitKind,
    pub weights: Vec<Weight>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheme {
    pub name: String,
    pub version: u32,
    pub indicators: Vec<Indicator>,
    pub kinds: Vec<KindWeights>,
}

impl Scheme {
    /// Refused: an unnamed scheme or version 0, two indicators with one code, an invalid indicator,
    /// a kind weighted twice or with no weights, a weight on an unknown indicator, the same
    /// indicator twice in a kind, a weight that is not a positive number.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: String| Err(Error::InvalidScheme(format!("{} v{}: {why}", self.name, self.version)));
        if self.name.trim().is_empty() {
            return bad("the scheme has no name".into());
        }
        if self.version == 0 {
            return bad("versions start at 1".into());
        }
        let mut codes = BTreeSet::new();
        for ind in &self.indicators {
            ind.validate()?;
            if !codes.insert(ind.code.as_str()) {
                return bad(format!("indicator {} is defined twice", ind.code));
            }
        }
        let mut kinds = BTreeSet::new();
        for k in &self.kinds {
            if !kinds.insert(k.kind) {
                return bad(format!("{:?} is weighted twice", k.kind));
            }
            if k.weights.is_empty() {
                return bad(format!("{:?} has no indicators", k.kind));
            }
            let mut seen = BTreeSet::new();
            for w in &k.weights {
                if !codes.contains(w.indicator.as_str()) {
                    return bad(format!("{:?} weights unknown indicator {}", k.kind, w.indicator));
                }
                if !seen.insert(w.indicator.as_str()) {
                    return bad(format!("{:?} weights {} twice", k.kind, w.indicator));
                }
                if !(w.weight.is_finite() && w.weight > 0.0) {
                    return bad(format!("{:?}: the weight of {} must be positive, not {}", k.kind, w.indicator, w.weight));
                }
            }
        }
        Ok(())
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    pub fn weights_for(&self, kind: UnitKind) -> Option<&[Weight]> {
        self.kinds.iter().find(|k| k.kind == kind).map(|k| &k.weights[..])
    }

    /// An example scheme for the service units (and colleges), used by the demo data and the
    /// tests: one indicator of each rule, of each source, one normalised per 1,000 students.
    pub fn example_2017() -> Scheme {
        let ind = |code: &str, name: &str, source, direction, rule, cap, min_sample| Indicator {
            code: code.into(),
            name: name.into(),
            source,
            direction,
            target: None,
            rule,
            cap,
            min_sample,
            normalisation: Normalisation::None,
        };
        use Direction::*;
        use Source::*;
        let band = |threshold, points| Band { threshold, points };
        let indicators = vec![
            ind(
                "repair_response_p90",
                "报修响应时间 P90（工作小时）",
                PlatformMetric,
                LowerBetter,
                ScoringRule::Linear { worst: 16.0, best: 2.0 },
                20.0,
                20,
            ),
            ind(
                "repair_within_sla",
                "报修按时完成率（%）",
                PlatformMetric,
                HigherBetter,
                ScoringRule::Banded { bands: vec![band(95.0, 20.0), band(90.0, 16.0), band(80.0, 10.0), band(60.0, 4.0)] },
                20.0,
                20,
            ),
            Indicator {
                target: Some(3.0),
                ..ind(
                    "false_closure_rate",
                    "返修及虚假关闭率（%）",
                    PlatformMetric,
                    LowerBetter,
                    ScoringRule::TargetBased,
                    15.0,
                    20,
                )
            },
            ind(
                "satisfaction",
                "满意度（%）",
                PlatformMetric,
                HigherBetter,
                ScoringRule::Linear { worst: 60.0, best: 98.0 },
                20.0,
                10,
            ),
            Indicator {
                normalisation: Normalisation::PerThousandStudents,
                ..ind(
                    "complaints_per_thousand",
                    "每千名学生吐槽数",
                    PlatformMetric,
                    LowerBetter,
                    ScoringRule::RankBased { points: vec![15.0, 12.0, 9.0, 6.0, 3.0] },
                    15.0,
                    0,
                )
            },
            ind(
                "desk_satisfaction",
                "一站式服务满意度（%）",
                DeskMetric,
                HigherBetter,
                ScoringRule::Linear { worst: 60.0, best: 98.0 },
                10.0,
                5,
            ),
            ind(
                "inspection",
                "现场检查（办公室评分）",
                Manual,
                HigherBetter,
                ScoringRule::Linear { worst: 0.0, best: 100.0 },
                10.0,
                1,
            ),
            ind("expert_review", "专家评议", Expert, HigherBetter, ScoringRule::Linear { worst: 60.0, best: 100.0 }, 10.0, 3),
        ];
        let w = |indicator: &str, weight| Weight { indicator: indicator.into(), weight };
        Scheme {
            name: "后勤服务单位考核".into(),
            version: 1,
            indicators,
            kinds: vec![
                KindWeights {
                    kind: UnitKind::ServiceUnit,
                    weights: vec![
                        w("repair_response_p90", 20.0),
                        w("repair_within_sla", 20.0),
                        w("false_closure_rate", 15.0),
                        w("satisfaction", 15.0),
                        w("complaints_per_thousand", 10.0),
                        w("desk_satisfaction", 5.0),
                        w("inspection", 10.0),
                        w("expert_review", 5.0),
                    ],
                },
                // Colleges are judged on the office's marks only; these weights sum to 80 on
                // purpose (renormalised to 100).
                KindWeights { kind: UnitKind::College, weights: vec![w("inspection", 50.0), w("expert_review", 30.0)] },
            ],
        }
    }
}

/// One indicator of a unit as the weighting sees it: its configured weight, its cap, and its
/// points if it was scored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeighIn {
    pub weight: f64,
    pub cap: f64,
    pub points: Option<f64>,
}

/// One line after weighting: 0 effective weight and contribution for a line left out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weighed {
    pub effective_weight: f64,
    pub contribution: f64,
}

/// Applies the weighting rule of the module header. Returns each line's effective weight and
/// contribution, and the weighted score (`None` when nothing was scored).
pub fn weigh(lines: &[WeighIn]) -> (Vec<Weighed>, Option<f64>) {
    let scored_weight: f64 = lines.iter().filter(|l| l.points.is_some()).map(|l| l.weight).sum();
    let out: Vec<Weighed> = lines
        .iter()
        .map(|l| match l.points {
            Some(p) if scored_weight > 0.0 => {
                let effective_weight = l.weight * 100.0 / scored_weight;
                Weighed { effective_weight, contribution: effective_weight * (p / l.cap).clamp(0.0, 1.0) }
            }
            _ => Weighed { effective_weight: 0.0, contribution: 0.0 },
        })
        .collect();
    let total = (scored_weight > 0.0).then(|| out.iter().map(|w| w.contribution).sum());
    (out, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_example_scheme_is_valid_and_round_trips() {
        let s = Scheme::example_2017();
        s.validate().unwrap();
        let back: Scheme = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn broken_schemes_are_refused() {
        let bad = |f: &dyn Fn(&mut Scheme)| {
            let mut s = Scheme::example_2017();
            f(&mut s);
            s.validate().is_err()
        };
        assert!(bad(&|s| s.version = 0));
        assert!(bad(&|s| s.name = "  ".into()));
        assert!(bad(&|s| {
            let first = s.indicators[0].clone();
            s.indicators.push(first)
        }));
        assert!(bad(&|s| s.kinds[0].weights[0].indicator = "nope".into()));
        assert!(bad(&|s| s.kinds[0].weights[1].indicator = s.kinds[0].weights[0].indicator.clone()));
        assert!(bad(&|s| s.kinds[0].weights[0].weight = 0.0));
        assert!(bad(&|s| s.kinds[0].weights[0].weight = f64::NAN));
        assert!(bad(&|s| s.kinds[1].kind = UnitKind::ServiceUnit));
        assert!(bad(&|s| s.kinds[1].weights.clear()));
        assert!(bad(&|s| s.indicators[0].cap = -1.0));
    }

    #[test]
    fn weights_are_renormalised_over_the_scored_indicators() {
        let l = |weight, cap, points| WeighIn { weight, cap, points };
        // 50 % of the weight at full points, 30 % at half: (50 × 1 + 30 × 0.5) / 80 × 100 = 81.25.
        let (lines, total) = weigh(&[l(50.0, 10.0, Some(10.0)), l(30.0, 20.0, Some(10.0))]);
        assert_eq!(total, Some(81.25));
        assert_eq!(lines[0].effective_weight, 62.5);
        assert_eq!(lines[1].effective_weight, 37.5);
        // A third indicator too few to judge: its 20 % goes to the others in proportion.
        let (lines, total2) = weigh(&[l(50.0, 10.0, Some(10.0)), l(30.0, 20.0, Some(10.0)), l(20.0, 5.0, None)]);
        assert_eq!(total2, total);
        assert_eq!(lines[2], Weighed { effective_weight: 0.0, contribution: 0.0 });
        assert_eq!(weigh(&[l(50.0, 10.0, None)]).1, None, "nothing scored: no weighted score, not 0");
        assert_eq!(weigh(&[]).1, None);
    }

    proptest! {
        #[test]
        fn weighted_score_is_a_weighted_mean_of_the_shares(
            raw in proptest::collection::vec((0.1f64..100.0, 1.0f64..50.0, proptest::option::of(0.0f64..1.0)), 0..10),
            scale in 0.01f64..100.0,
        ) {
            let lines: Vec<WeighIn> = raw.iter().map(|&(w, cap, f)| WeighIn { weight: w, cap, points: f.map(|f| f * cap) }).collect();
            let (out, total) = weigh(&lines);
            let any = lines.iter().any(|l| l.points.is_some());
            prop_assert_eq!(total.is_some(), any);
            if let Some(t) = total {
                prop_assert!((-1e-9..=100.0 + 1e-9).contains(&t), "the weighted score stays within 0..=100: {}", t);
                let eff: f64 = out.iter().map(|o| o.effective_weight).sum();
                prop_assert!((eff - 100.0).abs() < 1e-9, "effective weights of the scored lines sum to 100: {}", eff);
                // Scaling every weight changes nothing: only their proportions count.
                let scaled: Vec<WeighIn> = lines.iter().map(|l| WeighIn { weight: l.weight * scale, ..*l }).collect();
                let t2 = weigh(&scaled).1.unwrap();
                prop_assert!((t - t2).abs() < 1e-9);
                // Dropping the left-out lines changes nothing either.
                let kept: Vec<WeighIn> = lines.iter().copied().filter(|l| l.points.is_some()).collect();
                prop_assert!((t - weigh(&kept).1.unwrap()).abs() < 1e-9);
                // Between the worst and the best share among the scored lines.
                let shares: Vec<f64> = kept.iter().map(|l| l.points.unwrap() / l.cap * 100.0).collect();
                let lo = shares.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = shares.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(lo - 1e-9 <= t && t <= hi + 1e-9);
            }
            for (o, l) in out.iter().zip(&lines) {
                if l.points.is_none() { prop_assert_eq!(o.effective_weight, 0.0); }
            }
        }
    }
}
