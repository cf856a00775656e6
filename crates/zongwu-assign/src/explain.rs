//! A plan in words and per-room numbers: why each student is where they are, what each room
//! costs term by term, why each unmet request was not met, and who is worst off.
//!
//! The room breakdown uses the objective's own terms (a request split between two rooms is
//! charged half to each), so the rooms, the floor-clustering term and the unplaced term add up to
//! the total the solver optimised. Personal satisfaction is a separate, readable 0..=1 score:
//! requests met, how close the roommates are (class, major, college) and lifestyle match — the
//! fairness view ranks students by it, so a good total cannot hide a few badly served students.

use serde::{Deserialize, Serialize};

use crate::model::{life_mismatch, Model, NONE};
use crate::objective::{Objective, Term, TermVec};
use crate::state::State;
use crate::Engine;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentReport {
    pub student: String,
    pub room: Option<String>,
    pub bed: Option<String>,
    /// Why here, in Chinese: "与 24010101 互选；同班 采矿2401；作息相近".
    pub explanation: String,
    /// 0 (worst) ..= 1 (everything this student could want).
    pub satisfaction: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomReport {
    pub room: String,
    pub occupants: Vec<String>,
    pub usable_beds: u32,
    pub terms: Objective,
    /// Mean lifestyle match of the room's pairs, in percent; `None` with fewer than two occupants.
    pub lifestyle_match: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum UnmetReason {
    StudentUnplaced,
    PartnerUnplaced,
    DifferentGender,
    /// One of the two asked not to live with the other.
    Avoided,
    /// Both are pinned, to different rooms.
    PinnedApart,
    /// The mutual group is larger than any room for its gender.
    GroupTooLarge {
        size: usize,
        largest_room: u32,
    },
    /// Neither can join the other's room without breaking a hard rule (full, pinned, anti-request).
    NoRoomTogether,
    /// Possible, but it would cost more elsewhere than it gains.
    TradeOff {
        cost: f64,
        main_term: Term,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmetRequest {
    pub student: String,
    pub partner: String,
    pub mutual: bool,
    pub reason: UnmetReason,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fairness {
    pub mean: f64,
    pub min: f64,
    pub p10: f64,
    pub median: f64,
    /// Students per tenth of satisfaction: `[0, 0.1)`, …, `[0.9, 1]`.
    pub histogram: Vec<u32>,
    /// The lowest satisfaction first.
    pub worst: Vec<StudentReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub students: Vec<StudentReport>,
    pub rooms: Vec<RoomReport>,
    pub unmet_requests: Vec<UnmetRequest>,
    pub fairness: Fairness,
}

/// How many of the worst-off students the fairness view lists.
const WORST: usize = 20;

fn satisfaction(st: &State<'_>, s: usize) -> f64 {
    let m = st.m;
    let r = st.room_of[s];
    if r == NONE {
        return 0.0;
    }
    let mates: Vec<usize> = st.members(r as usize).iter().map(|&o| o as usize).filter(|&o| o != s).collect();
    let own: Vec<_> = m.links_of(s).iter().filter(|l| l.asked).collect();
    let met = own.iter().filter(|l| st.room_of[l.partner as usize] == r).count();
    let (affinity, life) = if mates.is_empty() {
        (0.5, 1.0)
    } else {
        let k = m.keys[s];
        let aff: f64 = mates
            .iter()
            .map(|&o| {
                let ko = m.keys[o];
                if ko.class == k.class {
                    1.0
                } else if ko.major == k.major {
                    0.6
                } else if ko.college == k.college {
                    0.3
                } else {
                    0.0
                }
            })
            .sum::<f64>()
            / mates.len() as f64;
        let life = 1.0 - mates.iter().map(|&o| life_mismatch(m, s, o)).sum::<f64>() / mates.len() as f64;
        (aff, life)
    };
    if own.is_empty() {
        0.5 * affinity + 0.5 * life
    } else {
        0.5 * (met as f64 / own.len() as f64) + 0.25 * affinity + 0.25 * life
    }
}

fn explanation(engine: &Engine, st: &State<'_>, s: usize) -> String {
    let m = &engine.model;
    let ids = |i: usize| engine.instance.students[i].id.as_str();
    let r = st.room_of[s];
    if r == NONE {
        return format!("未安排：{}", crate::construct::reason(st, s).label_zh());
    }
    let mut parts: Vec<String> = Vec::new();
    if m.pin[s] != NONE {
        parts.push("固定床位".into());
    }
    if m.needs_accessible[s] {
        parts.push("无障碍需求，安排在无障碍房间".into());
    }
    for l in m.links_of(s) {
        if st.room_of[l.partner as usize] != r {
            continue;
        }
        let p = ids(l.partner as usize);
        parts.push(match (l.mutual, l.asked) {
            (true, _) => format!("与 {p} 互选"),
            (false, true) => format!("按申请与 {p} 同住"),
            (false, false) => format!("{p} 申请与其同住"),
        });
    }
    let mates: Vec<usize> = st.members(r as usize).iter().map(|&o| o as usize).filter(|&o| o != s).collect();
    if mates.is_empty() {
        parts.push("暂无室友".into());
    } else {
        let k = m.keys[s];
        let student = &engine.instance.students[s];
        let same = |f: &dyn Fn(usize) -> bool| mates.iter().filter(|&&o| f(o)).count();
        let class = same(&|o| m.keys[o].class == k.class);
        let major = same(&|o| m.keys[o].major == k.major);
        let college = same(&|o| m.keys[o].college == k.college);
        if class > 0 {
            parts.push(format!("同班 {}（{class} 人）", student.class));
        } else if major > 0 {
            parts.push(format!("同专业 {}（{major} 人）", student.major));
        } else if college > 0 {
            parts.push(format!("同学院 {}（{college} 人）", student.college));
        }
        let answered = mates.iter().filter(|&&o| m.life_mask[o] & m.life_mask[s] != 0).count();
        if answered > 0 {
            let mismatch = mates.iter().map(|&o| life_mismatch(m, s, o)).sum::<f64>() / mates.len() as f64;
            if mismatch <= 0.08 {
                parts.push("作息相近".into());
            } else if mismatch >= 0.3 {
                parts.push("作息差异较大".into());
            }
        }
    }
    if parts.is_empty() {
        parts.push("按楼层顺序安排".into());
    }
    parts.join("；")
}

fn room_terms(m: &Model, st: &State<'_>, r: usize) -> TermVec {
    let w = &m.weights;
    let mut t = TermVec::default();
    let members = st.members(r);
    if !members.is_empty() {
        t.add_to(Term::HalfEmpty, w.half_empty * f64::from(m.room_usable[r].saturating_sub(members.len() as u32)));
    }
    for (i, &a) in members.iter().enumerate() {
        let a = a as usize;
        for &b in &members[i + 1..] {
            let b = b as usize;
            let (ka, kb) = (m.keys[a], m.keys[b]);
            t.add_to(Term::SameClass, w.same_class * f64::from(u8::from(ka.class != kb.class)));
            t.add_to(Term::SameMajor, w.same_major * f64::from(u8::from(ka.major != kb.major)));
            t.add_to(Term::SameCollege, w.same_college * f64::from(u8::from(ka.college != kb.college)));
            t.add_to(Term::ProvinceMix, w.province_mix * f64::from(u8::from(ka.province == kb.province)));
            t.add_to(Term::Lifestyle, w.lifestyle * life_mismatch(m, a, b));
        }
        for l in m.links_of(a) {
            if st.room_of[l.partner as usize] != r as u32 {
                // Split requests are charged half to each side's room (all of it if the partner has none).
                let share = if st.room_of[l.partner as usize] == NONE { 1.0 } else { 0.5 };
                t.add_to(if l.mutual { Term::MutualRequests } else { Term::OneWayRequests }, share * l.weight);
            }
        }
    }
    t
}

fn lifestyle_match(m: &Model, members: &[u32]) -> Option<f64> {
    if members.len() < 2 {
        return None;
    }
    let mut sum = 0.0;
    let mut pairs = 0.0;
    for (i, &a) in members.iter().enumerate() {
        for &b in &members[i + 1..] {
            sum += life_mismatch(m, a as usize, b as usize);
            pairs += 1.0;
        }
    }
    Some(100.0 * (1.0 - sum / pairs))
}

/// The cheapest hard-rule-respecting way to put `s` into room `r`, as an objective change.
pub(crate) fn cheapest_join(st: &State<'_>, s: usize, r: usize, keep: u32) -> Option<TermVec> {
    let m = st.m;
    if m.pin[s] != NONE || st.room_of[s] == NONE {
        return None;
    }
    let bs = st.bed_of[s] as usize;
    let mut best: Option<TermVec> = None;
    for b in m.room_beds(r).map(|b| b as usize) {
        if !m.bed_fits(s, b) {
            continue;
        }
        let t = st.occupant[b];
        let d = if t == NONE {
            st.can_take(s, b, NONE).then(|| st.move_delta(s, b))
        } else if t != keep
            && m.pin[t as usize] == NONE
            && m.bed_fits(t as usize, bs)
            && st.can_take(s, b, t)
            && st.can_take(t as usize, bs, s as u32)
        {
            Some(st.swap_delta(s, t as usize))
        } else {
            None
        };
        if let Some(d) = d {
            if best.is_none_or(|b| d.total() < b.total()) {
                best = Some(d);
            }
        }
    }
    best
}

fn main_term(d: &TermVec) -> Term {
    Term::ALL.iter().copied().max_by(|a, b| d.get(*a).total_cmp(&d.get(*b))).unwrap_or(Term::SameClass)
}

fn unmet_requests(engine: &Engine, st: &State<'_>) -> Vec<UnmetRequest> {
    let m = &engine.model;
    let ids = |i: usize| engine.instance.students[i].id.clone();
    // Mutual groups and their sizes, for the too-large reason.
    let mut comp: Vec<usize> = (0..m.n_students).collect();
    fn find(c: &mut [usize], x: usize) -> usize {
        let mut x = x;
        while c[x] != x {
            c[x] = c[c[x]];
            x = c[x];
        }
        x
    }
    for s in 0..m.n_students {
        for l in m.links_of(s) {
            if l.mutual && m.gender[s] == m.gender[l.partner as usize] {
                let (a, b) = (find(&mut comp, s), find(&mut comp, l.partner as usize));
                if a != b {
                    comp[a.max(b)] = a.min(b);
                }
            }
        }
    }
    let mut size = vec![0usize; m.n_students];
    for s in 0..m.n_students {
        let root = find(&mut comp, s);
        size[root] += 1;
    }
    let mut out = Vec::new();
    for s in 0..m.n_students {
        for l in m.links_of(s) {
            let p = l.partner as usize;
            // Mutual pairs once (from the smaller index), one-way requests from the asker.
            if !l.asked || (l.mutual && p < s) {
                continue;
            }
            if st.room_of[s] != NONE && st.room_of[s] == st.room_of[p] {
                continue;
            }
            let largest =
                m.room_usable.iter().zip(&m.room_gender).filter(|(_, &g)| g == m.gender[s]).map(|(&u, _)| u).max().unwrap_or(0);
            let group = size[find(&mut comp, s)];
            let reason = if st.room_of[s] == NONE {
                UnmetReason::StudentUnplaced
            } else if st.room_of[p] == NONE {
                UnmetReason::PartnerUnplaced
            } else if m.gender[s] != m.gender[p] {
                UnmetReason::DifferentGender
            } else if m.avoids(s, p) {
                UnmetReason::Avoided
            } else if m.pin[s] != NONE && m.pin[p] != NONE {
                UnmetReason::PinnedApart
            } else if l.mutual && group as u32 > largest {
                UnmetReason::GroupTooLarge { size: group, largest_room: largest }
            } else {
                let a = cheapest_join(st, s, st.room_of[p] as usize, p as u32);
                let b = cheapest_join(st, p, st.room_of[s] as usize, s as u32);
                match [a, b].into_iter().flatten().min_by(|x, y| x.total().total_cmp(&y.total())) {
                    Some(d) => UnmetReason::TradeOff { cost: d.total(), main_term: main_term(&d) },
                    None => UnmetReason::NoRoomTogether,
                }
            };
            let message = match &reason {
                UnmetReason::StudentUnplaced => "本人未安排床位".to_string(),
                UnmetReason::PartnerUnplaced => "对方未安排床位".to_string(),
                UnmetReason::DifferentGender => "性别不同，不能同住".to_string(),
                UnmetReason::Avoided => "双方有“不同住”申请".to_string(),
                UnmetReason::PinnedApart => "两人都已固定在不同房间".to_string(),
                UnmetReason::GroupTooLarge { size, largest_room } => {
                    format!("互选组 {size} 人，超过最大房间 {largest_room} 床")
                }
                UnmetReason::NoRoomTogether => "两人的房间都无法调入对方（已满、固定或有“不同住”冲突）".to_string(),
                UnmetReason::TradeOff { cost, main_term } => {
                    format!("同住会使总分变差 {cost:.1}（主要是{}）", main_term.label_zh())
                }
            };
            out.push(UnmetRequest { student: ids(s), partner: ids(p), mutual: l.mutual, reason, message });
        }
    }
    out
}

pub(crate) fn report(engine: &Engine, st: &State<'_>) -> Report {
    let m = &engine.model;
    let inst = &engine.instance;
    let students: Vec<StudentReport> = (0..m.n_students)
        .map(|s| {
            let b = st.bed_of[s];
            let (room, bed) = if b == NONE {
                (None, None)
            } else {
                let r = m.bed_room[b as usize] as usize;
                (Some(inst.rooms[r].id.clone()), Some(inst.rooms[r].beds[(b - m.room_bed_start[r]) as usize].id.clone()))
            };
            StudentReport {
                student: inst.students[s].id.clone(),
                room,
                bed,
                explanation: explanation(engine, st, s),
                satisfaction: satisfaction(st, s),
            }
        })
        .collect();
    let rooms = (0..m.n_rooms)
        .map(|r| RoomReport {
            room: inst.rooms[r].id.clone(),
            occupants: st.members(r).iter().map(|&o| inst.students[o as usize].id.clone()).collect(),
            usable_beds: m.room_usable[r],
            terms: room_terms(m, st, r).to_objective(),
            lifestyle_match: lifestyle_match(m, st.members(r)),
        })
        .collect();
    let mut order: Vec<usize> = (0..students.len()).collect();
    order.sort_by(|&a, &b| students[a].satisfaction.total_cmp(&students[b].satisfaction).then(a.cmp(&b)));
    let at = |q: f64| order.get(((order.len() as f64 - 1.0) * q).round() as usize).map_or(0.0, |&i| students[i].satisfaction);
    let mut histogram = vec![0u32; 10];
    for s in &students {
        histogram[((s.satisfaction * 10.0) as usize).min(9)] += 1;
    }
    let fairness = Fairness {
        mean: if students.is_empty() {
            0.0
        } else {
            students.iter().map(|s| s.satisfaction).sum::<f64>() / students.len() as f64
        },
        min: at(0.0),
        p10: at(0.1),
        median: at(0.5),
        histogram,
        worst: order.iter().take(WORST).map(|&i| students[i].clone()).collect(),
    };
    Report { unmet_requests: unmet_requests(engine, st), students, rooms, fairness }
}

#[cfg(test)]
mod tests {
    use crate::generate;
    use crate::{Engine, SolveOptions, Term};

    #[test]
    fn rooms_and_the_floor_term_add_up_to_the_objective() {
        let engine = Engine::new(generate::instance(300, 5)).unwrap();
        let out = engine.solve(&SolveOptions { iterations: Some(50_000), ..Default::default() });
        let report = engine.report(&out.plan).unwrap();
        let rooms: f64 = report.rooms.iter().map(|r| r.terms.total).sum();
        let rest = out.objective.get(Term::FloorClustering) + out.objective.get(Term::Unplaced);
        assert!((rooms + rest - out.objective.total).abs() < 1e-6, "the breakdown must explain the whole objective");
    }

    #[test]
    fn every_student_is_explained_in_words() {
        let engine = Engine::new(generate::instance(400, 6)).unwrap();
        let out = engine.solve(&SolveOptions { iterations: Some(50_000), ..Default::default() });
        let report = engine.report(&out.plan).unwrap();
        assert_eq!(report.students.len(), 400);
        assert!(report.students.iter().all(|s| !s.explanation.is_empty()));
        assert!(report.students.iter().any(|s| s.explanation.contains("互选")), "mutual requests are named");
        assert!(report.students.iter().any(|s| s.explanation.contains("同班")), "classmates are named");
        let f = &report.fairness;
        assert!(f.min <= f.p10 && f.p10 <= f.median && f.worst.len() == 20);
        assert_eq!(f.histogram.iter().sum::<u32>(), 400);
        assert!(f.worst.windows(2).all(|w| w[0].satisfaction <= w[1].satisfaction), "worst-off first");
        for u in &report.unmet_requests {
            assert!(!u.message.is_empty());
        }
    }
}
