//! The office's working-hours calendar (工作时间): response and completion times of repair tickets
//! and complaints are judged in working hours, not wall hours, so a request filed on Friday evening
//! is not "late" on Monday morning, and the National Day week (国庆) does not count against anyone.
//!
//! A calendar is a week of working periods (per weekday, in local wall time, e.g. 08:00–12:00 and
//! 14:00–17:30), holidays (法定节假日, dates off even on a weekday) and make-up workdays (调休上班:
//! usually a weekend date that works, with the hours of a named weekday).
//!
//! All arithmetic goes through one cumulative function `W(t)`: the working milliseconds from a fixed
//! Monday (0001-01-01) to `t`. `W` at the start of a day is whole weeks × the week's total plus the
//! days before it in its week plus the sum of the exceptions' deltas before it (found by binary
//! search over the sorted holidays and make-up days), so any interval costs O(log exceptions), and a
//! span of years costs the same as a span of minutes. `working_ms_between(a, b) = W(b) − W(a)` is
//! then additive over split points by construction, and `add_working` inverts `W`.
//!
//! Resolution is the millisecond: instants are truncated to whole milliseconds.

use crate::{Error, Result};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

pub const MS_PER_HOUR: i64 = 3_600_000;
const MS_PER_DAY: i64 = 86_400_000;

/// A holiday span longer than this is refused: it is a typing error (a wrong year), and expanding it
/// into dates would cost memory for nothing. Winter and summer vacations are not holidays of the
/// office, which keeps duty hours.
pub const MAX_HOLIDAY_SPAN_DAYS: i64 = 366;

/// `add_working` gives up after this many days without finding enough working time (a calendar
/// with no working periods at all, say) instead of searching forever.
const MAX_SEARCH_DAYS: i64 = 400 * 366;

/// One working period of a day, in wall time: `start` inclusive, `end` exclusive, `end` up to 24:00
/// so a round-the-clock duty (物业值班) can be written `00:00-24:00`.
///
/// Written in configuration files as `"08:00-12:00"` (seconds optional: `"08:00:30-12:00"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkPeriod {
    start_ms: u32,
    end_ms: u32,
}

impl WorkPeriod {
    /// A period from `start` to `end` given as milliseconds since midnight.
    pub fn from_ms(start_ms: u32, end_ms: u32) -> Result<WorkPeriod> {
        if end_ms as i64 > MS_PER_DAY {
            return Err(Error::InvalidCalendar(format!("a working period ends at most at 24:00, not {}", fmt_tod(end_ms))));
        }
        if start_ms >= end_ms {
            return Err(Error::InvalidCalendar(format!(
                "a working period must end after it starts: {}-{}",
                fmt_tod(start_ms),
                fmt_tod(end_ms)
            )));
        }
        Ok(WorkPeriod { start_ms, end_ms })
    }

    /// A period between two wall-clock times given as hours and minutes (`hm(8, 0, 12, 0)`).
    pub fn hm(start_h: u32, start_m: u32, end_h: u32, end_m: u32) -> Result<WorkPeriod> {
        WorkPeriod::from_ms((start_h * 60 + start_m) * 60_000, (end_h * 60 + end_m) * 60_000)
    }

    pub fn start_ms(self) -> u32 {
        self.start_ms
    }

    pub fn end_ms(self) -> u32 {
        self.end_ms
    }

    pub fn len_ms(self) -> i64 {
        (self.end_ms - self.start_ms) as i64
    }
}

fn fmt_tod(ms: u32) -> String {
    let s = ms / 1000;
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

fn parse_tod(s: &str) -> Option<u32> {
    let mut parts = s.trim().split(':');
    let h: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let sec: u32 = match parts.next() {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || m > 59 || sec > 59 || h > 24 || (h == 24 && (m, sec) != (0, 0)) {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1000)
}

impl fmt::Display for WorkPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", fmt_tod(self.start_ms), fmt_tod(self.end_ms))
    }
}

impl FromStr for WorkPeriod {
    type Err = Error;
    fn from_str(s: &str) -> Result<WorkPeriod> {
        let bad = || Error::InvalidCalendar(format!("a working period is written like 08:00-12:00, not {s:?}"));
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        WorkPeriod::from_ms(parse_tod(a).ok_or_else(bad)?, parse_tod(b).ok_or_else(bad)?)
    }
}

impl Serialize for WorkPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WorkPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The working periods of each weekday. A weekday left out has none (a rest day).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeekHours {
    pub monday: Vec<WorkPeriod>,
    pub tuesday: Vec<WorkPeriod>,
    pub wednesday: Vec<WorkPeriod>,
    pub thursday: Vec<WorkPeriod>,
    pub friday: Vec<WorkPeriod>,
    pub saturday: Vec<WorkPeriod>,
    pub sunday: Vec<WorkPeriod>,
}

impl WeekHours {
    /// The same periods Monday to Friday, weekends off: the usual office week.
    pub fn weekdays(periods: &[WorkPeriod]) -> WeekHours {
        let p = periods.to_vec();
        WeekHours {
            monday: p.clone(),
            tuesday: p.clone(),
            wednesday: p.clone(),
            thursday: p.clone(),
            friday: p,
            ..WeekHours::default()
        }
    }

    pub fn of(&self, day: Weekday) -> &[WorkPeriod] {
        match day {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }
}

/// A run of dates off (inclusive at both ends), e.g. 国庆节 2017-10-01 to 2017-10-08.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A date that works although it would not (调休上班), with the hours of `works_as`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MakeUpDay {
    pub date: NaiveDate,
    pub works_as: Weekday,
    #[serde(default)]
    pub note: String,
}

/// The calendar as the office writes it (a settings file, a synced row). Turned into a
/// [`WorkingCalendar`] by validation; the calendar serialises back to this form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarConfig {
    pub name: String,
    pub week: WeekHours,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    #[serde(default)]
    pub make_up_days: Vec<MakeUpDay>,
}

/// A stretch of wall time, e.g. a ticket's time in a paused status (waiting for parts, 待配件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Interval {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl Interval {
    pub fn new(start: NaiveDateTime, end: NaiveDateTime) -> Interval {
        Interval { start, end }
    }
}

/// A date that differs from its weekday's hours: off (`None`) or working as another weekday.
#[derive(Debug, Clone, Copy)]
struct Exception {
    day: i64,
    works_as: Option<usize>,
}

/// A validated calendar, compiled for O(log exceptions) queries. Construct it with
/// [`WorkingCalendar::new`] or by deserialising a [`CalendarConfig`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "CalendarConfig", into = "CalendarConfig")]
pub struct WorkingCalendar {
    config: CalendarConfig,
    /// Working periods in ms of the day, Monday = 0, sorted and disjoint.
    week: [Vec<(i64, i64)>; 7],
    /// `week_prefix[k]` = working ms of weekdays `0..k`; `week_prefix[7]` is the whole week.
    week_prefix: [i64; 8],
    /// Sorted by day; at most one per date.
    exceptions: Vec<Exception>,
    /// `exception_prefix[i]` = the sum over `exceptions[..i]` of (the date's hours − its weekday's).
    exception_prefix: Vec<i64>,
    /// For the days from the first exception to the last, `exception_index[day − first]` is the
    /// number of exceptions before `day`: the binary search done once per day at construction,
    /// so a query costs two array reads. Empty when the span is too long to be worth it.
    exception_index: Vec<u32>,
}

/// A span of exceptions longer than this (in days) is searched, not indexed: 100,000 days of
/// `u32` are 400 kB, far more than any real office calendar needs.
const MAX_INDEXED_DAYS: i64 = 100_000;

impl PartialEq for WorkingCalendar {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config
    }
}

impl TryFrom<CalendarConfig> for WorkingCalendar {
    type Error = Error;
    fn try_from(config: CalendarConfig) -> Result<WorkingCalendar> {
        WorkingCalendar::new(config)
    }
}

impl From<WorkingCalendar> for CalendarConfig {
    fn from(c: WorkingCalendar) -> CalendarConfig {
        c.config
    }
}

const WEEKDAYS: [Weekday; 7] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// Days since 0001-01-01, which was a Monday, so `day.rem_euclid(7)` is the weekday (Monday = 0).
fn day_no(d: NaiveDate) -> i64 {
    d.num_days_from_ce() as i64 - 1
}

fn date_of(day: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(day + 1).ok()?)
}

fn ms_of_day(t: NaiveDateTime) -> i64 {
    // A leap second (nanosecond ≥ 1e9) stays in its second rather than spilling into the next.
    t.num_seconds_from_midnight() as i64 * 1000 + (t.nanosecond() / 1_000_000).min(999) as i64
}

fn worked_until(periods: &[(i64, i64)], tod: i64) -> i64 {
    periods.iter().map(|&(a, b)| (tod.min(b) - a).max(0)).sum()
}

fn total(periods: &[(i64, i64)]) -> i64 {
    periods.iter().map(|&(a, b)| b - a).sum()
}

impl WorkingCalendar {
    /// Validates and compiles a calendar. Refused: overlapping periods within a day, a holiday
    /// ending before it starts or longer than [`MAX_HOLIDAY_SPAN_DAYS`], a date that is both a
    /// holiday and a make-up day, a make-up date given twice.
    pub fn new(config: CalendarConfig) -> Result<WorkingCalendar> {
        let mut week: [Vec<(i64, i64)>; 7] = Default::default();
        for (i, wd) in WEEKDAYS.iter().enumerate() {
            let mut ps: Vec<(i64, i64)> = config.week.of(*wd).iter().map(|p| (p.start_ms as i64, p.end_ms as i64)).collect();
            ps.sort_unstable();
            if let Some(w) = ps.windows(2).find(|w| w[1].0 < w[0].1) {
                return Err(Error::InvalidCalendar(format!(
                    "{wd}: working periods {} and {} overlap",
                    fmt_tod(w[0].0 as u32) + "-" + &fmt_tod(w[0].1 as u32),
                    fmt_tod(w[1].0 as u32) + "-" + &fmt_tod(w[1].1 as u32)
                )));
            }
            week[i] = ps;
        }
        let mut week_prefix = [0i64; 8];
        for k in 0..7 {
            week_prefix[k + 1] = week_prefix[k] + total(&week[k]);
        }

        let mut off = BTreeSet::new();
        for h in &config.holidays {
            let (a, b) = (day_no(h.from), day_no(h.to));
            if b < a {
                return Err(Error::InvalidCalendar(format!("holiday {} ends ({}) before it starts ({})", h.name, h.to, h.from)));
            }
            if b - a + 1 > MAX_HOLIDAY_SPAN_DAYS {
                return Err(Error::InvalidCalendar(format!("holiday {} spans {} days; is a year wrong?", h.name, b - a + 1)));
            }
            off.extend(a..=b);
        }
        let mut by_day: BTreeMap<i64, Option<usize>> = off.into_iter().map(|d| (d, None)).collect();
        for m in &config.make_up_days {
            let d = day_no(m.date);
            match by_day.get(&d) {
                Some(None) => return Err(Error::InvalidCalendar(format!("{} is both a holiday and a make-up workday", m.date))),
                Some(Some(_)) => return Err(Error::InvalidCalendar(format!("make-up workday {} is given twice", m.date))),
                None => by_day.insert(d, Some(m.works_as.num_days_from_monday() as usize)),
            };
        }
        let exceptions: Vec<Exception> = by_day.into_iter().map(|(day, works_as)| Exception { day, works_as }).collect();
        let mut exception_prefix = Vec::with_capacity(exceptions.len() + 1);
        exception_prefix.push(0);
        let mut acc = 0;
        for e in &exceptions {
            let normal = total(&week[e.day.rem_euclid(7) as usize]);
            let actual = e.works_as.map_or(0, |w| total(&week[w]));
            acc += actual - normal;
            exception_prefix.push(acc);
        }
        let exception_index = match (exceptions.first(), exceptions.last()) {
            (Some(first), Some(last)) if last.day - first.day < MAX_INDEXED_DAYS => {
                (first.day..=last.day).map(|d| exceptions.partition_point(|e| e.day < d) as u32).collect()
            }
            _ => Vec::new(),
        };
        Ok(WorkingCalendar { config, week, week_prefix, exceptions, exception_prefix, exception_index })
    }

    pub fn config(&self) -> &CalendarConfig {
        &self.config
    }

    /// `W` at 00:00 of `day`, and the working periods of that day.
    fn day_start(&self, day: i64) -> (i64, &[(i64, i64)]) {
        let i = match self.exceptions.first() {
            Some(first) if !self.exception_index.is_empty() => match usize::try_from(day - first.day) {
                Err(_) => 0,
                Ok(k) => self.exception_index.get(k).map_or(self.exceptions.len(), |&i| i as usize),
            },
            _ => self.exceptions.partition_point(|e| e.day < day),
        };
        let w = day.div_euclid(7) * self.week_prefix[7] + self.week_prefix[day.rem_euclid(7) as usize] + self.exception_prefix[i];
        let periods = match self.exceptions.get(i) {
            Some(e) if e.day == day => e.works_as.map_or(&[][..], |w| &self.week[w][..]),
            _ => &self.week[day.rem_euclid(7) as usize][..],
        };
        (w, periods)
    }

    /// Working ms from the calendar's origin to `t`: the one function everything else is made of.
    fn cumulative_ms(&self, t: NaiveDateTime) -> i64 {
        let (w, periods) = self.day_start(day_no(t.date()));
        w + worked_until(periods, ms_of_day(t))
    }

    /// The working time of one date.
    pub fn working_ms_on(&self, date: NaiveDate) -> i64 {
        total(self.day_start(day_no(date)).1)
    }

    /// Working milliseconds in `[start, end)`; zero when `end` is not after `start`.
    pub fn working_ms_between(&self, start: NaiveDateTime, end: NaiveDateTime) -> i64 {
        if end <= start {
            return 0;
        }
        self.cumulative_ms(end) - self.cumulative_ms(start)
    }

    /// [`working_ms_between`](Self::working_ms_between) in hours.
    pub fn working_hours_between(&self, start: NaiveDateTime, end: NaiveDateTime) -> f64 {
        self.working_ms_between(start, end) as f64 / MS_PER_HOUR as f64
    }

    /// Working milliseconds in `[start, end)` outside every paused interval. Pauses may overlap
    /// each other or reach outside `[start, end)`: they are clipped and merged first, so a working
    /// minute is never subtracted twice.
    pub fn working_between_excluding(&self, start: NaiveDateTime, end: NaiveDateTime, paused: &[Interval]) -> i64 {
        let whole = self.working_ms_between(start, end);
        if whole == 0 || paused.is_empty() {
            return whole;
        }
        let mut clipped: Vec<(NaiveDateTime, NaiveDateTime)> =
            paused.iter().map(|p| (p.start.max(start), p.end.min(end))).filter(|(a, b)| a < b).collect();
        clipped.sort_unstable();
        let mut paused_ms = 0;
        let mut current: Option<(NaiveDateTime, NaiveDateTime)> = None;
        for (a, b) in clipped {
            current = match current {
                Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
                Some((ca, cb)) => {
                    paused_ms += self.working_ms_between(ca, cb);
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        if let Some((ca, cb)) = current {
            paused_ms += self.working_ms_between(ca, cb);
        }
        whole - paused_ms
    }

    /// The earliest instant by which `duration_ms` of working time has passed since `start`: the
    /// deadline of an SLA. A deadline that falls exactly at the end of a working period is that end
    /// (Friday 17:30), not the start of the next period (Monday 08:00). `None` when the calendar
    /// has no working time left within 400 years, or the date would leave chrono's range.
    ///
    /// Inverse of `working_ms_between`: `working_ms_between(start, add_working(start, d)) == d`.
    pub fn add_working(&self, start: NaiveDateTime, duration_ms: i64) -> Option<NaiveDateTime> {
        if duration_ms <= 0 {
            return Some(start);
        }
        let target = self.cumulative_ms(start) + duration_ms;
        let d0 = day_no(start.date());
        // Find the day whose [00:00, 24:00] holds `target`: day_start(lo) < target <= day_start(hi),
        // first by doubling the step, then by bisection.
        let (mut lo, mut hi, mut step) = (d0, d0 + 1, 1i64);
        while self.day_start(hi).0 < target {
            lo = hi;
            step *= 2;
            if step > MAX_SEARCH_DAYS {
                return None;
            }
            hi = d0 + step;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.day_start(mid).0 < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let (w, periods) = self.day_start(lo);
        let mut need = target - w;
        for &(a, b) in periods {
            if need <= b - a {
                return date_of(lo)?.and_hms_opt(0, 0, 0)?.checked_add_signed(Duration::milliseconds(a + need));
            }
            need -= b - a;
        }
        None
    }

    /// The China 2017/2018 office calendar used by the demo data and the tests: Monday to Friday
    /// 08:00–12:00 and 14:00–17:30 (7.5 working hours a day), the public holidays of 2017 and 2018
    /// as announced by the State Council (国务院办公厅), with their make-up workdays (a Saturday
    /// works as a Friday, a Sunday as a Monday; the hours are the same).
    pub fn china_2017_2018() -> WorkingCalendar {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a valid fixture date");
        let hol = |name: &str, from: &str, to: &str| Holiday { name: name.into(), from: d(from), to: d(to) };
        let mk = |date: &str, note: &str| {
            let date = d(date);
            let works_as = if date.weekday() == Weekday::Sun { Weekday::Mon } else { Weekday::Fri };
            MakeUpDay { date, works_as, note: note.into() }
        };
        let periods = [WorkPeriod::hm(8, 0, 12, 0).expect("valid"), WorkPeriod::hm(14, 0, 17, 30).expect("valid")];
        let config = CalendarConfig {
            name: "中国矿业大学总务部 2017–2018".into(),
            week: WeekHours::weekdays(&periods),
            holidays: vec![
                hol("元旦", "2017-01-01", "2017-01-02"),
                hol("春节", "2017-01-27", "2017-02-02"),
                hol("清明节", "2017-04-02", "2017-04-04"),
                hol("劳动节", "2017-04-29", "2017-05-01"),
                hol("端午节", "2017-05-28", "2017-05-30"),
                hol("国庆节、中秋节", "2017-10-01", "2017-10-08"),
                hol("元旦", "2017-12-30", "2018-01-01"),
                hol("春节", "2018-02-15", "2018-02-21"),
                hol("清明节", "2018-04-05", "2018-04-07"),
                hol("劳动节", "2018-04-29", "2018-05-01"),
                hol("端午节", "2018-06-16", "2018-06-18"),
                hol("中秋节", "2018-09-22", "2018-09-24"),
                hol("国庆节", "2018-10-01", "2018-10-07"),
            ],
            make_up_days: vec![
                mk("2017-01-22", "春节调休"),
                mk("2017-02-04", "春节调休"),
                mk("2017-04-01", "清明节调休"),
                mk("2017-05-27", "端午节调休"),
                mk("2017-09-30", "国庆节调休"),
                mk("2018-02-11", "春节调休"),
                mk("2018-02-24", "春节调休"),
                mk("2018-04-08", "清明节调休"),
                mk("2018-04-28", "劳动节调休"),
                mk("2018-09-29", "国庆节调休"),
                mk("2018-09-30", "国庆节调休"),
            ],
        };
        WorkingCalendar::new(config).expect("the built-in calendar is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn hours(c: &WorkingCalendar, a: &str, b: &str) -> f64 {
        c.working_hours_between(t(a), t(b))
    }

    /// An independent oracle: walk the dates one by one and intersect each working period with the
    /// interval, reading holidays and make-up days straight from the configuration.
    fn oracle_ms(c: &WorkingCalendar, start: NaiveDateTime, end: NaiveDateTime) -> i64 {
        if end <= start {
            return 0;
        }
        let cfg = c.config();
        let mut sum = 0;
        let mut date = start.date();
        while date <= end.date() {
            let is_holiday = cfg.holidays.iter().any(|h| h.from <= date && date <= h.to);
            let make_up = cfg.make_up_days.iter().find(|m| m.date == date);
            let periods: &[WorkPeriod] = match (is_holiday, make_up) {
                (true, _) => &[],
                (false, Some(m)) => cfg.week.of(m.works_as),
                (false, None) => cfg.week.of(date.weekday()),
            };
            let midnight = date.and_hms_opt(0, 0, 0).unwrap();
            for p in periods {
                let a = midnight + Duration::milliseconds(p.start_ms() as i64);
                let b = midnight + Duration::milliseconds(p.end_ms() as i64);
                let (a, b) = (a.max(start), b.min(end));
                if a < b {
                    sum += (b - a).num_milliseconds();
                }
            }
            date = date.succ_opt().unwrap();
        }
        sum
    }

    #[test]
    fn day_numbers_agree_with_chronos_weekday() {
        for s in ["2017-10-01", "2017-09-30", "2018-02-11", "1999-12-31", "2024-02-29"] {
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
            assert_eq!(day_no(d).rem_euclid(7) as u32, d.weekday().num_days_from_monday(), "{s}: day 0 must be a Monday");
            assert_eq!(date_of(day_no(d)), Some(d), "{s}: day numbers round-trip");
        }
    }

    #[test]
    fn friday_afternoon_to_monday_morning_is_two_and_a_half_hours() {
        let c = WorkingCalendar::china_2017_2018();
        // 16:00–17:30 on Friday, nothing on the weekend, 08:00–09:00 on Monday.
        assert_eq!(hours(&c, "2017-11-17 16:00", "2017-11-20 09:00"), 2.5);
    }

    #[test]
    fn nights_and_lunch_breaks_do_not_count() {
        let c = WorkingCalendar::china_2017_2018();
        assert_eq!(hours(&c, "2017-11-15 18:00", "2017-11-16 07:59"), 0.0, "a night is not working time");
        assert_eq!(hours(&c, "2017-11-15 12:00", "2017-11-15 14:00"), 0.0, "the lunch break is not working time");
        assert_eq!(hours(&c, "2017-11-15 11:30", "2017-11-15 14:30"), 1.0, "half an hour each side of lunch");
        assert_eq!(hours(&c, "2017-11-15 17:00", "2017-11-16 08:30"), 1.0, "half an hour each side of the night");
        assert_eq!(hours(&c, "2017-11-18 09:00", "2017-11-19 17:00"), 0.0, "an ordinary weekend is off");
    }

    #[test]
    fn national_day_week_is_off_and_its_make_up_saturday_works() {
        let c = WorkingCalendar::china_2017_2018();
        assert_eq!(hours(&c, "2017-09-30 08:00", "2017-09-30 18:00"), 7.5, "Saturday 2017-09-30 is a make-up workday");
        assert_eq!(hours(&c, "2017-10-01 00:00", "2017-10-09 00:00"), 0.0, "国庆 10/1–10/8 is off, weekdays included");
        // Friday 09:00–17:30 (6.5 h) + the make-up Saturday (7.5 h) + Monday 08:00–09:00 (1 h).
        assert_eq!(hours(&c, "2017-09-29 09:00", "2017-10-09 09:00"), 15.0);
        // A holiday on a weekday: 端午节 Monday 2017-05-29 and Tuesday 05-30; Saturday 05-27 works.
        assert_eq!(hours(&c, "2017-05-26 00:00", "2017-06-01 00:00"), 7.5 * 3.0, "Fri 26, Sat 27 (make-up), Wed 31");
    }

    #[test]
    fn sunday_make_up_day_and_a_holiday_across_the_new_year() {
        let c = WorkingCalendar::china_2017_2018();
        assert_eq!(hours(&c, "2018-02-11 00:00", "2018-02-12 00:00"), 7.5, "Sunday 2018-02-11 works (春节调休)");
        // 2017-12-29 is a Friday; 12-30 to 2018-01-01 (Mon) off; Tuesday 01-02 works.
        assert_eq!(hours(&c, "2017-12-29 17:00", "2018-01-02 08:30"), 1.0);
    }

    #[test]
    fn whole_months_add_up_to_their_workdays() {
        let c = WorkingCalendar::china_2017_2018();
        // September 2017: 21 weekdays + the make-up Saturday 30th = 22 days; October: 22 weekdays
        // less the five of the holiday week = 17; November: 22 weekdays.
        assert_eq!(hours(&c, "2017-09-01 00:00", "2017-10-01 00:00"), 22.0 * 7.5);
        assert_eq!(hours(&c, "2017-10-01 00:00", "2017-11-01 00:00"), 17.0 * 7.5);
        assert_eq!(hours(&c, "2017-11-01 00:00", "2017-12-01 00:00"), 22.0 * 7.5);
        assert_eq!(hours(&c, "2017-09-01 00:00", "2017-12-01 00:00"), 61.0 * 7.5);
        // 2017 as a whole: 260 weekdays, 16 of them holidays (Jan 2; Jan 27 and Jan 30–Feb 2; Apr 3–4;
        // May 1; May 29–30; Oct 2–6), plus 5 make-up days: 249.
        let year = c.working_ms_between(t("2017-01-01 00:00"), t("2018-01-01 00:00"));
        assert_eq!(year, oracle_ms(&c, t("2017-01-01 00:00"), t("2018-01-01 00:00")));
        assert_eq!(year, 249 * 75 * MS_PER_HOUR / 10, "2017 had 249 working days in China");
    }

    #[test]
    fn reversed_or_empty_intervals_are_zero() {
        let c = WorkingCalendar::china_2017_2018();
        assert_eq!(hours(&c, "2017-11-15 10:00", "2017-11-15 09:00"), 0.0);
        assert_eq!(hours(&c, "2017-11-15 10:00", "2017-11-15 10:00"), 0.0);
    }

    #[test]
    fn paused_intervals_are_excluded_once_even_when_they_overlap() {
        let c = WorkingCalendar::china_2017_2018();
        let (start, end) = (t("2017-11-13 08:00"), t("2017-11-17 17:30"));
        assert_eq!(c.working_ms_between(start, end), 5 * 75 * MS_PER_HOUR / 10);
        // Waiting for parts Tuesday 10:00 → Wednesday 10:00 (7.5 h), recorded twice, overlapping
        // another pause Wednesday 09:00–11:00 and holding one inside it (Tuesday 11:00–15:00); plus one
        // pause reaching past the end.
        let paused = [
            Interval::new(t("2017-11-14 10:00"), t("2017-11-15 10:00")),
            Interval::new(t("2017-11-14 10:00"), t("2017-11-15 10:00")),
            Interval::new(t("2017-11-14 11:00"), t("2017-11-14 15:00")),
            Interval::new(t("2017-11-15 09:00"), t("2017-11-15 11:00")),
            Interval::new(t("2017-11-17 17:00"), t("2017-11-20 12:00")),
        ];
        // Excluded: Tue 10:00 → Wed 11:00 = 2 + 3.5 + 3 = 8.5 h, Fri 17:00–17:30 = 0.5 h.
        assert_eq!(c.working_between_excluding(start, end, &paused), (375 - 90) * MS_PER_HOUR / 10);
    }

    #[test]
    fn sla_deadlines_skip_nights_weekends_and_holidays() {
        let c = WorkingCalendar::china_2017_2018();
        let h = MS_PER_HOUR;
        assert_eq!(c.add_working(t("2017-11-17 16:00"), 3 * h), Some(t("2017-11-20 09:30")), "over the weekend");
        assert_eq!(
            c.add_working(t("2017-11-17 16:00"), 3 * h / 2),
            Some(t("2017-11-17 17:30")),
            "ends with the day, not Monday 08:00"
        );
        assert_eq!(c.add_working(t("2017-11-17 11:00"), 2 * h), Some(t("2017-11-17 15:00")), "over lunch");
        assert_eq!(c.add_working(t("2017-11-18 10:00"), h), Some(t("2017-11-20 09:00")), "from a rest day");
        assert_eq!(c.add_working(t("2017-09-29 17:00"), 8 * h), Some(t("2017-09-30 17:30")), "the make-up Saturday works");
        assert_eq!(c.add_working(t("2017-09-29 17:00"), 9 * h), Some(t("2017-10-09 09:00")), "then 国庆 is skipped");
        assert_eq!(c.add_working(t("2017-11-17 16:00"), 0), Some(t("2017-11-17 16:00")));
        // Three months of working time lands exactly where the month arithmetic above says.
        assert_eq!(c.add_working(t("2017-09-01 00:00"), 61 * 75 * h / 10), Some(t("2017-11-30 17:30")));
    }

    #[test]
    fn a_calendar_without_working_time_has_no_deadline() {
        let c = WorkingCalendar::new(CalendarConfig {
            name: "closed".into(),
            week: WeekHours::default(),
            holidays: vec![],
            make_up_days: vec![],
        })
        .unwrap();
        assert_eq!(c.add_working(t("2017-11-17 16:00"), MS_PER_HOUR), None);
        assert_eq!(hours(&c, "2017-01-01 00:00", "2018-01-01 00:00"), 0.0);
    }

    #[test]
    fn round_the_clock_duty_counts_wall_time() {
        let mut week = WeekHours::default();
        for wd in WEEKDAYS {
            let v = match wd {
                Weekday::Mon => &mut week.monday,
                Weekday::Tue => &mut week.tuesday,
                Weekday::Wed => &mut week.wednesday,
                Weekday::Thu => &mut week.thursday,
                Weekday::Fri => &mut week.friday,
                Weekday::Sat => &mut week.saturday,
                Weekday::Sun => &mut week.sunday,
            };
            v.push("00:00-24:00".parse().unwrap());
        }
        let c =
            WorkingCalendar::new(CalendarConfig { name: "物业值班".into(), week, holidays: vec![], make_up_days: vec![] })
                .unwrap();
        assert_eq!(hours(&c, "2017-11-17 16:00", "2017-11-20 09:00"), 65.0);
        assert_eq!(c.add_working(t("2017-11-17 16:00"), 8 * MS_PER_HOUR), Some(t("2017-11-18 00:00")));
    }

    #[test]
    fn configuration_round_trips_through_json_and_bad_ones_are_refused() {
        let c = WorkingCalendar::china_2017_2018();
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains("\"08:00-12:00\"") && json.contains("\"14:00-17:30\""), "periods are written as text: {json}");
        let back: WorkingCalendar = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.working_ms_between(t("2017-09-29 09:00"), t("2017-10-09 09:00")), 15 * MS_PER_HOUR);

        let bad = |json: &str| serde_json::from_str::<WorkingCalendar>(json).is_err();
        assert!(bad(r#"{"name":"x","week":{"monday":["08:00-12:00","11:00-13:00"]}}"#), "overlapping periods");
        assert!(bad(r#"{"name":"x","week":{"monday":["12:00-08:00"]}}"#), "a period ending before it starts");
        assert!(bad(r#"{"name":"x","week":{"monday":["08:00-24:30"]}}"#), "past midnight");
        assert!(bad(r#"{"name":"x","week":{"monday":["8h-12h"]}}"#), "not a time");
        assert!(bad(r#"{"name":"x","week":{},"holidays":[{"name":"国庆","from":"2017-10-08","to":"2017-10-01"}]}"#));
        assert!(bad(r#"{"name":"x","week":{},"holidays":[{"name":"国庆","from":"2017-10-01","to":"2019-10-01"}]}"#));
        assert!(bad(
            r#"{"name":"x","week":{},"holidays":[{"name":"国庆","from":"2017-10-01","to":"2017-10-08"}],"make_up_days":[{"date":"2017-10-01","works_as":"Mon"}]}"#
        ));
        let ok: WorkingCalendar = serde_json::from_str(
            r#"{"name":"x","week":{"monday":["08:00-12:00"]},"make_up_days":[{"date":"2017-09-30","works_as":"Monday"}]}"#,
        )
        .unwrap();
        assert_eq!(ok.working_ms_on(NaiveDate::from_ymd_opt(2017, 9, 30).unwrap()), 4 * MS_PER_HOUR);
    }

    #[test]
    fn exceptions_too_far_apart_to_index_are_searched_with_the_same_result() {
        let mut cfg = WorkingCalendar::china_2017_2018().config().clone();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        cfg.holidays.push(Holiday { name: "far past".into(), from: d(1800, 1, 1), to: d(1800, 1, 3) });
        cfg.holidays.push(Holiday { name: "far future".into(), from: d(2200, 1, 1), to: d(2200, 1, 1) });
        let far = WorkingCalendar::new(cfg).unwrap();
        assert!(far.exception_index.is_empty(), "a 400-year span is not indexed");
        let near = WorkingCalendar::china_2017_2018();
        assert!(!near.exception_index.is_empty());
        for (a, b) in [
            ("2017-09-29 09:00", "2017-10-09 09:00"),
            ("2016-12-30 10:00", "2018-12-31 10:00"),
            ("2017-11-17 16:00", "2017-11-20 09:00"),
        ] {
            assert_eq!(far.working_ms_between(t(a), t(b)), near.working_ms_between(t(a), t(b)), "{a} → {b}");
            assert_eq!(far.add_working(t(a), 30 * MS_PER_HOUR), near.add_working(t(a), 30 * MS_PER_HOUR));
        }
        assert_eq!(far.working_ms_on(d(1800, 1, 2)), 0, "Thursday 1800-01-02 is a holiday");
        assert_eq!(far.working_ms_on(d(1800, 1, 6)), 75 * MS_PER_HOUR / 10, "Monday 1800-01-06 works");
        assert_eq!(near.working_ms_on(d(1800, 1, 2)), 75 * MS_PER_HOUR / 10, "a Thursday before every exception");
        assert_eq!(near.working_ms_on(d(2030, 10, 1)), 75 * MS_PER_HOUR / 10, "a Tuesday after every exception");
    }

    /// Whole minutes from 2016-12-01 to early 2019, so the holidays of both years are crossed.
    fn instant() -> impl Strategy<Value = NaiveDateTime> {
        (0i64..(800 * 24 * 60)).prop_map(|m| t("2016-12-01 00:00") + Duration::minutes(m))
    }

    /// A calendar with uneven hours per weekday (a Saturday morning, a short Wednesday) so a bug that
    /// swaps weekdays or takes a make-up day's hours from the wrong weekday shows.
    fn uneven_calendar() -> WorkingCalendar {
        let mut cfg = WorkingCalendar::china_2017_2018().config().clone();
        cfg.week.wednesday = vec!["08:30-11:45".parse().unwrap()];
        cfg.week.saturday = vec!["09:00-11:00".parse().unwrap()];
        cfg.week.monday.push("19:00-21:00".parse().unwrap());
        WorkingCalendar::new(cfg).unwrap()
    }

    proptest! {
        #[test]
        fn equals_the_day_by_day_oracle(a in instant(), b in instant()) {
            for c in [WorkingCalendar::china_2017_2018(), uneven_calendar()] {
                prop_assert_eq!(c.working_ms_between(a, b), oracle_ms(&c, a, b));
            }
        }

        #[test]
        fn additive_over_split_points(mut xs in proptest::collection::vec(instant(), 3)) {
            xs.sort();
            let c = uneven_calendar();
            prop_assert_eq!(
                c.working_ms_between(xs[0], xs[2]),
                c.working_ms_between(xs[0], xs[1]) + c.working_ms_between(xs[1], xs[2])
            );
        }

        #[test]
        fn never_negative_never_more_than_wall_time(a in instant(), b in instant()) {
            let c = uneven_calendar();
            let w = c.working_ms_between(a, b);
            prop_assert!(w >= 0);
            prop_assert!(w <= (b - a).num_milliseconds().max(0));
        }

        #[test]
        fn add_working_inverts_working_between(a in instant(), minutes in 0i64..(200 * 60)) {
            let c = uneven_calendar();
            let d = minutes * 60_000;
            let deadline = c.add_working(a, d).expect("the calendar has working time");
            prop_assert_eq!(c.working_ms_between(a, deadline), d);
            if d > 0 {
                // The earliest such instant: one millisecond earlier is not enough yet.
                prop_assert!(c.working_ms_between(a, deadline - Duration::milliseconds(1)) < d);
            }
        }

        #[test]
        fn working_between_then_add_working_never_passes_the_end(a in instant(), b in instant()) {
            let c = uneven_calendar();
            prop_assume!(a <= b);
            let back = c.add_working(a, c.working_ms_between(a, b)).unwrap();
            prop_assert!(back <= b);
            prop_assert_eq!(c.working_ms_between(back, b), 0, "nothing but non-working time lies between");
        }

        #[test]
        fn pauses_subtract_their_merged_working_time(
            a in instant(), b in instant(),
            pauses in proptest::collection::vec((-(2i64 * 24 * 60)..(14 * 24 * 60), 0i64..(5 * 24 * 60)), 0..6),
        ) {
            let c = uneven_calendar();
            // Pauses near the interval's start, so they overlap it, each other, and nest.
            let from = a.min(b);
            let paused: Vec<Interval> = pauses
                .iter()
                .map(|&(off, m)| Interval::new(from + Duration::minutes(off), from + Duration::minutes(off + m)))
                .collect();
            let got = c.working_between_excluding(a, b, &paused);
            // Oracle: minute by minute is too slow over weeks; instead count working minutes of
            // [a, b) outside every pause by walking the union's complement with the oracle.
            let mut cuts: Vec<NaiveDateTime> = vec![a, b];
            for p in &paused {
                cuts.push(p.start.clamp(a.min(b), b.max(a)));
                cuts.push(p.end.clamp(a.min(b), b.max(a)));
            }
            cuts.sort();
            cuts.dedup();
            let mut expect = 0;
            if a < b {
                for w in cuts.windows(2) {
                    let (x, y) = (w[0], w[1]);
                    let covered = paused.iter().any(|p| p.start <= x && y <= p.end);
                    if !covered && a <= x && y <= b {
                        expect += oracle_ms(&c, x, y);
                    }
                }
            }
            prop_assert_eq!(got, expect);
            prop_assert!(got >= 0 && got <= c.working_ms_between(a, b));
        }
    }
}
