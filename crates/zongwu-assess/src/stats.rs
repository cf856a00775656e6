//! The few statistics a unit's figures are made of (median and p90 of response and completion
//! times, the share completed within the SLA, rates), defined once so the desktop, the CLI, the
//! briefing and the tests agree to the last digit.
//!
//! **Percentiles are nearest-rank**: the p-th percentile of n values is the value of rank
//! ⌈p·n/100⌉ (1-based) in ascending order, rank 1 for p = 0. It is always one of the measured
//! values, so "p90 = 6.5 working hours" points at a real ticket in the drill-down, and it needs no
//! interpolation convention. (numpy/pandas call it `method="inverted_cdf"`; their default is the
//! linear one, offered here as [`percentile_linear`] for comparison with such scripts.)
//!
//! **The median is the conventional one**: the middle value, or the mean of the two middle values
//! for an even count, as anyone checking the figure by hand would compute it.
//!
//! Empty input gives `None`, never 0: "no tickets" is not "answered instantly". A NaN is no
//! measurement and is skipped.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The `k`-th smallest (0-based) of `values`, in O(n), on a copy.
fn kth<T: Copy>(values: &[T], k: usize, cmp: impl Fn(&T, &T) -> Ordering) -> T {
    let mut v = values.to_vec();
    let (_, x, _) = v.select_nth_unstable_by(k, cmp);
    *x
}

fn finite(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|x| !x.is_nan()).collect()
}

/// 1-based nearest rank of the `p`-th percentile among `n` values; `p` is clamped to 0..=100.
fn nearest_rank(n: usize, p: u32) -> usize {
    let p = p.min(100) as usize;
    (p * n).div_ceil(100).max(1)
}

/// The nearest-rank `p`-th percentile (see the module header).
pub fn percentile(values: &[f64], p: u32) -> Option<f64> {
    let v = finite(values);
    if v.is_empty() {
        return None;
    }
    Some(kth(&v, nearest_rank(v.len(), p) - 1, f64::total_cmp))
}

/// The nearest-rank `p`-th percentile of integer values (durations in milliseconds).
pub fn percentile_i64(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    Some(kth(values, nearest_rank(values.len(), p) - 1, i64::cmp))
}

pub fn p90(values: &[f64]) -> Option<f64> {
    percentile(values, 90)
}

pub fn p90_i64(values: &[i64]) -> Option<i64> {
    percentile_i64(values, 90)
}

/// The linear-interpolation percentile (Excel PERCENTILE.INC, numpy's default): position
/// `(n − 1)·p/100` between the neighbouring sorted values. Not used for the office's figures.
pub fn percentile_linear(values: &[f64], p: u32) -> Option<f64> {
    let mut v = finite(values);
    if v.is_empty() {
        return None;
    }
    v.sort_unstable_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p.min(100) as f64 / 100.0;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

pub fn median(values: &[f64]) -> Option<f64> {
    let v = finite(values);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(kth(&v, n / 2, f64::total_cmp)),
        _ => {
            let upper = kth(&v, n / 2, f64::total_cmp);
            let lower = kth(&v, n / 2 - 1, f64::total_cmp);
            Some((lower + upper) / 2.0)
        }
    }
}

pub fn median_i64(values: &[i64]) -> Option<f64> {
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(kth(values, n / 2, i64::cmp) as f64),
        _ => {
            let upper = kth(values, n / 2, i64::cmp);
            let lower = kth(values, n / 2 - 1, i64::cmp);
            // Halve each before adding so two large durations cannot overflow.
            Some(lower as f64 / 2.0 + upper as f64 / 2.0)
        }
    }
}

pub fn mean(values: &[f64]) -> Option<f64> {
    let v = finite(values);
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// A share kept as its two counts, so a scorecard can print "152 / 160" beside "95.0%" and the
/// drill-down can re-add the numerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Rate {
    pub hits: u64,
    pub total: u64,
}

impl Rate {
    pub fn new(hits: u64, total: u64) -> Rate {
        Rate { hits, total }
    }

    /// The share in 0..=1, `None` when there is nothing to divide by.
    pub fn value(self) -> Option<f64> {
        rate(self.hits, self.total)
    }

    pub fn percent(self) -> Option<f64> {
        self.value().map(|v| v * 100.0)
    }
}

/// `hits / total`, `None` for a zero total.
pub fn rate(hits: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| hits as f64 / total as f64)
}

/// How many of the durations are within the limit (at most `limit_ms`): the share completed
/// within the SLA.
pub fn share_within(durations_ms: &[i64], limit_ms: i64) -> Rate {
    Rate { hits: durations_ms.iter().filter(|&&d| d <= limit_ms).count() as u64, total: durations_ms.len() as u64 }
}

/// `count` per 1,000 of `base` (complaints per 1,000 students served); `None` for a base that is
/// not positive.
pub fn per_thousand(count: f64, base: f64) -> Option<f64> {
    (base > 0.0).then(|| count * 1000.0 / base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nearest_rank_matches_hand_computed_values() {
        // The textbook example: 15, 20, 35, 40, 50 (given out of order).
        let v = [40.0, 15.0, 50.0, 35.0, 20.0];
        assert_eq!(percentile(&v, 5), Some(15.0), "rank ⌈0.25⌉ = 1");
        assert_eq!(percentile(&v, 30), Some(20.0), "rank ⌈1.5⌉ = 2");
        assert_eq!(percentile(&v, 40), Some(20.0), "rank ⌈2.0⌉ = 2, exactly on a rank");
        assert_eq!(percentile(&v, 50), Some(35.0), "rank ⌈2.5⌉ = 3");
        assert_eq!(percentile(&v, 100), Some(50.0), "rank 5");
        assert_eq!(percentile(&v, 0), Some(15.0), "p0 is the minimum");
        // p90 of 1..=10 is the 9th value; of 1..=11 it is rank ⌈9.9⌉ = 10.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(p90_i64(&ten), Some(9));
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(p90(&eleven), Some(10.0));
        // A single ticket is its own p90 and median.
        assert_eq!(p90_i64(&[7_200_000]), Some(7_200_000));
        assert_eq!(median_i64(&[7_200_000]), Some(7_200_000.0));
    }

    #[test]
    fn linear_percentile_matches_hand_computed_values() {
        let v = [15.0, 20.0, 35.0, 40.0, 50.0];
        assert_eq!(percentile_linear(&v, 40), Some(29.0), "position 1.6: 20 + 0.6 × 15");
        assert_eq!(percentile_linear(&v, 50), Some(35.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        let p = percentile_linear(&ten, 90).unwrap();
        assert!((p - 9.1).abs() < 1e-12, "position 8.1: 9 + 0.1, got {p}");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5), "mean of the two middle values");
        assert_eq!(median_i64(&[4, 1, 3, 2]), Some(2.5));
        assert_eq!(median_i64(&[i64::MAX, i64::MAX]), Some(i64::MAX as f64), "no overflow");
    }

    #[test]
    fn empty_input_is_no_figure_and_nan_is_skipped() {
        assert_eq!(median(&[]), None);
        assert_eq!(p90(&[]), None);
        assert_eq!(p90_i64(&[]), None);
        assert_eq!(mean(&[]), None);
        assert_eq!(median(&[f64::NAN, 1.0, 3.0]), Some(2.0));
        assert_eq!(p90(&[f64::NAN]), None);
    }

    #[test]
    fn shares_and_rates() {
        let h = 3_600_000;
        let r = share_within(&[h, 2 * h, 24 * h, 25 * h, 0], 24 * h);
        assert_eq!(r, Rate::new(4, 5), "a ticket exactly at the limit is within it");
        assert_eq!(r.percent(), Some(80.0));
        assert_eq!(share_within(&[], h).value(), None);
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(per_thousand(27.0, 13_500.0), Some(2.0));
        assert_eq!(per_thousand(27.0, 0.0), None);
    }

    proptest! {
        #[test]
        fn nearest_rank_is_a_member_with_at_least_p_percent_at_or_below(
            v in proptest::collection::vec(-1000i64..1000, 1..60), p in 0u32..=100,
        ) {
            let x = percentile_i64(&v, p).unwrap();
            prop_assert!(v.contains(&x));
            let at_or_below = v.iter().filter(|&&y| y <= x).count();
            let below = v.iter().filter(|&&y| y < x).count();
            prop_assert!(at_or_below * 100 >= p as usize * v.len(), "at least p% are ≤ the percentile");
            prop_assert!(below * 100 < (p as usize * v.len()).max(1), "and it is the smallest such value");
        }

        #[test]
        fn percentiles_are_monotone_in_p_and_bracket_the_median(v in proptest::collection::vec(-1e6f64..1e6, 1..60)) {
            let mut prev = f64::NEG_INFINITY;
            for p in 0..=100 {
                let x = percentile(&v, p).unwrap();
                prop_assert!(x >= prev);
                prev = x;
            }
            let m = median(&v).unwrap();
            prop_assert!(percentile(&v, 0).unwrap() <= m && m <= percentile(&v, 100).unwrap());
        }
    }
}
