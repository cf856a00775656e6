//! The objective, kept as separate named terms.
//!
//! The search, the room breakdown, the manual-move preview, the explanations and the benchmark all
//! read these same numbers, so a figure in the window is the figure the solver optimised. Every
//! term is a weighted cost: 0 is ideal and lower is better.

use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    /// Students without a bed. Weighted far above the rest: the search never trades a bed away.
    Unplaced,
    MutualRequests,
    OneWayRequests,
    SameClass,
    SameMajor,
    SameCollege,
    FloorClustering,
    Lifestyle,
    HalfEmpty,
    ProvinceMix,
}

pub(crate) const TERMS: usize = 10;

/// Cost of one unplaced student. Not editable: placing everyone who can be placed comes first.
pub const UNPLACED_WEIGHT: f64 = 1000.0;

impl Term {
    pub const ALL: [Term; TERMS] = [
        Term::Unplaced,
        Term::MutualRequests,
        Term::OneWayRequests,
        Term::SameClass,
        Term::SameMajor,
        Term::SameCollege,
        Term::FloorClustering,
        Term::Lifestyle,
        Term::HalfEmpty,
        Term::ProvinceMix,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Term::Unplaced => "未安排",
            Term::MutualRequests => "互选未同住",
            Term::OneWayRequests => "单向申请未满足",
            Term::SameClass => "不同班",
            Term::SameMajor => "不同专业",
            Term::SameCollege => "不同学院",
            Term::FloorClustering => "班级分散楼层",
            Term::Lifestyle => "作息差异",
            Term::HalfEmpty => "半空房间",
            Term::ProvinceMix => "同省聚集",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// One value per term, in [`Term::ALL`] order. The hot loop adds these; totals are summed on demand.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TermVec(pub [f64; TERMS]);

impl TermVec {
    pub fn total(&self) -> f64 {
        self.0.iter().sum()
    }

    pub fn get(&self, term: Term) -> f64 {
        self.0[term.index()]
    }

    pub(crate) fn add_to(&mut self, term: Term, value: f64) {
        self.0[term.index()] += value;
    }

    pub fn to_objective(self) -> Objective {
        Objective {
            terms: Term::ALL.iter().map(|&term| TermValue { term, value: self.get(term) }).collect(),
            total: self.total(),
        }
    }
}

impl Add for TermVec {
    type Output = TermVec;
    fn add(mut self, rhs: TermVec) -> TermVec {
        self += rhs;
        self
    }
}

impl AddAssign for TermVec {
    fn add_assign(&mut self, rhs: TermVec) {
        for (a, b) in self.0.iter_mut().zip(rhs.0) {
            *a += b;
        }
    }
}

impl Sub for TermVec {
    type Output = TermVec;
    fn sub(mut self, rhs: TermVec) -> TermVec {
        self -= rhs;
        self
    }
}

impl SubAssign for TermVec {
    fn sub_assign(&mut self, rhs: TermVec) {
        for (a, b) in self.0.iter_mut().zip(rhs.0) {
            *a -= b;
        }
    }
}

impl Neg for TermVec {
    type Output = TermVec;
    fn neg(self) -> TermVec {
        TermVec(self.0.map(|v| -v))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TermValue {
    pub term: Term,
    pub value: f64,
}

/// The objective (or a change of it) as the window shows it: every term by name, and the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub terms: Vec<TermValue>,
    pub total: f64,
}

impl Objective {
    pub fn get(&self, term: Term) -> f64 {
        self.terms.iter().find(|t| t.term == term).map_or(0.0, |t| t.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_indices_follow_all() {
        for (i, term) in Term::ALL.iter().enumerate() {
            assert_eq!(term.index(), i, "TermVec is indexed by declaration order");
        }
    }

    #[test]
    fn objective_keeps_every_term_by_name() {
        let mut v = TermVec::default();
        v.add_to(Term::SameClass, 2.0);
        v.add_to(Term::HalfEmpty, 4.0);
        let o = v.to_objective();
        assert_eq!(o.terms.len(), TERMS);
        assert_eq!(o.get(Term::SameClass), 2.0);
        assert_eq!(o.total, 6.0);
        assert_eq!((v - v).total(), 0.0);
    }
}
