//! Manual adjustments: the window drags a student onto a bed and asks, before anything is saved,
//! which hard rules the move would break and how each objective term would change.
//!
//! A [`Board`] holds the plan as a live [`State`], so each check is the same O(room size) delta
//! the search uses (cheap enough to run on every drag-over), and suggested swap partners are the
//! students whose trade would improve the objective most.

use serde::{Deserialize, Serialize};

use crate::model::NONE;
use crate::objective::{Objective, TermVec};
use crate::plan::Plan;
use crate::rules::Violation;
use crate::state::State;
use crate::Engine;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoveCheck {
    /// True when no hard rule would break.
    pub allowed: bool,
    /// Every hard rule the change would break, in Chinese for the window.
    pub problems: Vec<String>,
    /// The student the move would swap with, when the bed is taken.
    pub swap_with: Option<String>,
    /// Change of each term (negative is better); also filled in when not allowed, for information.
    pub delta: Objective,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwapSuggestion {
    pub partner: String,
    pub delta: f64,
}

/// A plan open for manual adjustment.
pub struct Board<'e> {
    engine: &'e Engine,
    st: State<'e>,
}

impl Engine {
    /// Open a plan for manual adjustment. Fails on unknown students or beds.
    pub fn board(&self, plan: &Plan) -> Result<Board<'_>, Violation> {
        let beds = self.beds_of(plan)?;
        Ok(Board { engine: self, st: State::from_beds(&self.model, &beds) })
    }
}

impl<'e> Board<'e> {
    fn student(&self, id: &str) -> Option<usize> {
        self.engine.model.student_index.get(id).map(|&s| s as usize)
    }

    pub fn objective(&self) -> Objective {
        self.st.cost.to_objective()
    }

    pub fn plan(&self) -> Plan {
        self.engine.plan_of(&self.st)
    }

    /// What moving `student` onto `bed` would do; a taken bed means a swap with its occupant.
    pub fn check_move(&self, student: &str, bed: &str) -> MoveCheck {
        let m = &self.engine.model;
        let inst = &self.engine.instance;
        let Some(s) = self.student(student) else {
            return refused(format!("未知学号 {student}"));
        };
        let Some(&b) = m.bed_index.get(bed) else {
            return refused(format!("未知床位 {bed}"));
        };
        let b = b as usize;
        let t = self.st.occupant[b];
        if t as usize == s {
            return MoveCheck { allowed: true, problems: Vec::new(), swap_with: None, delta: TermVec::default().to_objective() };
        }
        let mut problems = self.bed_problems(s, b, t);
        let from = self.st.bed_of[s];
        let delta = if t == NONE {
            self.st.move_delta(s, b)
        } else if from == NONE {
            problems.push(format!("床位 {bed} 已有 {}，未安排的同学不能交换", inst.students[t as usize].id));
            TermVec::default()
        } else {
            problems.extend(self.bed_problems(t as usize, from as usize, s as u32));
            self.st.swap_delta(s, t as usize)
        };
        MoveCheck {
            allowed: problems.is_empty(),
            problems,
            swap_with: (t != NONE).then(|| inst.students[t as usize].id.clone()),
            delta: delta.to_objective(),
        }
    }

    /// What trading the beds of two placed students would do.
    pub fn check_swap(&self, a: &str, b: &str) -> MoveCheck {
        let (Some(sa), Some(sb)) = (self.student(a), self.student(b)) else {
            return refused("未知学号".to_string());
        };
        match self.st.bed_of[sb] {
            NONE => refused(format!("{b} 未安排床位")),
            bed => {
                let bed_id = self.bed_id(bed as usize);
                self.check_move(a, &bed_id)
            }
        }
        .with_partner(sa, sb, self)
    }

    /// Carry out a checked move or swap; returns the check, and changes nothing when not allowed.
    pub fn apply_move(&mut self, student: &str, bed: &str) -> MoveCheck {
        let check = self.check_move(student, bed);
        if check.allowed {
            let m = &self.engine.model;
            let s = self.student(student).expect("checked");
            let b = m.bed_index[bed] as usize;
            match self.st.occupant[b] {
                NONE => {
                    self.st.apply_move(s, b);
                }
                t if t as usize != s => {
                    self.st.apply_swap(s, t as usize);
                }
                _ => {}
            }
        }
        check
    }

    /// The best students to trade beds with, best first (most negative delta), hard rules kept.
    pub fn suggest_swaps(&self, student: &str, limit: usize) -> Vec<SwapSuggestion> {
        let m = &self.engine.model;
        let Some(s) = self.student(student) else { return Vec::new() };
        let bs = self.st.bed_of[s];
        if bs == NONE || m.pin[s] != NONE {
            return Vec::new();
        }
        let bs = bs as usize;
        let mut found: Vec<(f64, usize)> = Vec::new();
        for t in 0..m.n_students {
            let bt = self.st.bed_of[t];
            if t == s || bt == NONE || m.pin[t] != NONE || self.st.room_of[t] == self.st.room_of[s] {
                continue;
            }
            let bt = bt as usize;
            if m.bed_fits(s, bt) && m.bed_fits(t, bs) && self.st.can_take(s, bt, t as u32) && self.st.can_take(t, bs, s as u32) {
                found.push((self.st.swap_delta(s, t).total(), t));
            }
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        found
            .into_iter()
            .take(limit)
            .map(|(delta, t)| SwapSuggestion { partner: self.engine.instance.students[t].id.clone(), delta })
            .collect()
    }

    fn bed_id(&self, b: usize) -> String {
        let m = &self.engine.model;
        let r = m.bed_room[b] as usize;
        self.engine.instance.rooms[r].beds[b - m.room_bed_start[r] as usize].id.clone()
    }

    /// The hard rules `s` entering bed `b` (with `leaving` moving out of that room) would break.
    fn bed_problems(&self, s: usize, b: usize, leaving: u32) -> Vec<String> {
        let m = &self.engine.model;
        let inst = &self.engine.instance;
        let r = m.bed_room[b] as usize;
        let (student, room) = (&inst.students[s], &inst.rooms[r]);
        let mut out = Vec::new();
        if m.pin[s] != NONE && m.pin[s] as usize != b {
            out.push(format!("{} 是固定床位，不能移动", student.id));
        }
        if !m.bed_usable[b] {
            out.push(format!("床位 {} 已预留或停用", self.bed_id(b)));
        }
        if room.gender != student.gender {
            out.push(format!("{} 是{}生房间，{} 是{}生", room.id, room.gender.label_zh(), student.id, student.gender.label_zh()));
        }
        if student.needs_accessible && !room.accessible {
            out.push(format!("{} 需要无障碍房间，{} 不是", student.id, room.id));
        }
        for &o in self.st.members(r) {
            if o != leaving && o as usize != s && m.avoids(s, o as usize) {
                out.push(format!("{} 与 {} 申请不同住", student.id, inst.students[o as usize].id));
            }
        }
        out
    }
}

fn refused(problem: String) -> MoveCheck {
    MoveCheck { allowed: false, problems: vec![problem], swap_with: None, delta: TermVec::default().to_objective() }
}

impl MoveCheck {
    fn with_partner(mut self, _a: usize, b: usize, board: &Board<'_>) -> MoveCheck {
        self.swap_with.get_or_insert_with(|| board.engine.instance.students[b].id.clone());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::SolveOptions;

    #[test]
    fn a_checked_move_changes_the_objective_by_its_delta() {
        let engine = Engine::new(generate::instance(200, 8)).unwrap();
        let out = engine.solve(&SolveOptions { iterations: Some(20_000), ..Default::default() });
        let mut board = engine.board(&out.plan).unwrap();
        let before = board.objective().total;
        let mut applied = 0;
        // Try moving a few students onto beds of their own gender across the intake.
        for (i, st) in engine.instance().students.iter().enumerate().take(40) {
            let room = engine.instance().rooms.iter().filter(|r| r.gender == st.gender).nth(i % 7).unwrap();
            let bed = room.beds[0].id.clone();
            let check = board.check_move(&st.id, &bed);
            let total = board.objective().total;
            let applied_check = board.apply_move(&st.id, &bed);
            assert_eq!(check, applied_check);
            if check.allowed {
                applied += 1;
                assert!(
                    (board.objective().total - total - check.delta.total).abs() < 1e-6,
                    "the preview must be the real change"
                );
            } else {
                assert!(!check.problems.is_empty(), "a refusal names the rule");
                assert!((board.objective().total - total).abs() < 1e-9, "a refused move changes nothing");
            }
        }
        assert!(applied > 0);
        let plan = board.plan();
        assert!(engine.violations(&plan).is_empty(), "manual moves keep every hard rule");
        let exact = engine.evaluate(&plan).unwrap().total;
        assert!(
            (exact - board.objective().total).abs() < 1e-6,
            "incremental {} vs exact {exact} (start {before})",
            board.objective().total
        );
    }

    #[test]
    fn wrong_gender_and_suggestions() {
        let engine = Engine::new(generate::instance(200, 9)).unwrap();
        let out = engine.solve(&SolveOptions { iterations: Some(20_000), ..Default::default() });
        let board = engine.board(&out.plan).unwrap();
        let s = &engine.instance().students[0];
        let other = engine.instance().rooms.iter().find(|r| r.gender != s.gender).unwrap();
        let check = board.check_move(&s.id, &other.beds[0].id);
        assert!(!check.allowed && check.problems.iter().any(|p| p.contains("生房间")), "{check:?}");
        let tips = board.suggest_swaps(&s.id, 5);
        assert!(tips.windows(2).all(|w| w[0].delta <= w[1].delta), "best suggestion first");
        for tip in &tips {
            let c = board.check_swap(&s.id, &tip.partner);
            assert!(c.allowed);
            assert!((c.delta.total - tip.delta).abs() < 1e-9);
        }
    }
}
