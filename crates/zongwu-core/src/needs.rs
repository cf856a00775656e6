//! Needs and application scenarios (需求 / 应用场景) that liaison officers collect in their units,
//! expert reviews, and the office's workflow from submission to launch.
//!
//! ```text
//! submitted → under_review → approved → in_development → launched
//!      ↘ rejected / on_hold (from any open state); on_hold → under_review
//! ```
//! Each transition is a row of its own (who, when, why), so the timeline survives sync merges.

use crate::fields::normalise_text;
use crate::store::{new_id, Table};
use crate::{dto, enum_dto, Actor, Error, Result, Store};
use serde_json::json;
use std::collections::BTreeMap;

pub use zongwu_proto::NeedStatus;

enum_dto! {
    #[derive(sqlx::Type, Copy, Eq)]
    #[sqlx(type_name = "TEXT", rename_all = "snake_case")]
    pub enum NeedKind {
        Need,
        Scenario,
        ProjectIdea,
    }
}

impl NeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NeedKind::Need => "need",
            NeedKind::Scenario => "scenario",
            NeedKind::ProjectIdea => "project_idea",
        }
    }
    pub fn parse(s: &str) -> Option<NeedKind> {
        [NeedKind::Need, NeedKind::Scenario, NeedKind::ProjectIdea].into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            NeedKind::Need => "信息化需求",
            NeedKind::Scenario => "应用场景",
            NeedKind::ProjectIdea => "项目设想",
        }
    }
}

enum_dto! {
    #[derive(sqlx::Type, Copy, Eq)]
    #[sqlx(type_name = "TEXT", rename_all = "snake_case")]
    pub enum Priority {
        Low,
        Medium,
        High,
        Urgent,
    }
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
    pub fn parse(s: &str) -> Option<Priority> {
        [Priority::Low, Priority::Medium, Priority::High, Priority::Urgent].into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Priority::Low => "低",
            Priority::Medium => "中",
            Priority::High => "高",
            Priority::Urgent => "紧急",
        }
    }
}

dto! {
    /// Metadata of a file that belongs to a need; the file itself stays where it is.
    pub struct Attachment {
        pub name: String,
        pub note: String,
    }
}

dto! {
    pub struct NeedInput {
        pub unit_id: String,
        pub title: String,
        pub kind: NeedKind,
        pub description: String,
        pub priority: Priority,
        pub expected_benefit: String,
        pub attachments: Vec<Attachment>,
    }
}

dto! {
    #[derive(sqlx::FromRow)]
    pub struct NeedRow {
        pub id: String,
        pub unit_id: String,
        pub unit_name: String,
        pub title: String,
        pub kind: NeedKind,
        pub priority: Priority,
        pub status: NeedStatus,
        pub submitter_name: Option<String>,
        pub submitted_ms: i64,
        pub review_count: i64,
        pub avg_score: Option<f64>,
    }
}

dto! {
    pub struct Need {
        pub id: String,
        pub unit_id: String,
        pub unit_name: String,
        pub title: String,
        pub kind: NeedKind,
        pub description: String,
        pub priority: Priority,
        pub expected_benefit: String,
        pub attachments: Vec<Attachment>,
        pub status: NeedStatus,
        pub submitter_name: Option<String>,
        pub submitted_ms: i64,
    }
}

dto! {
    pub struct Transition {
        pub id: String,
        pub from_status: NeedStatus,
        pub to_status: NeedStatus,
        pub actor_name: Option<String>,
        pub at_ms: i64,
        pub comment: String,
    }
}

dto! {
    pub struct Review {
        pub id: String,
        pub expert_name: Option<String>,
        pub scores: BTreeMap<String, f64>,
        pub total: f64,
        pub comment: String,
        pub at_ms: i64,
    }
}

dto! {
    pub struct ReviewInput {
        pub need_id: String,
        pub scores: BTreeMap<String, f64>,
        pub comment: String,
    }
}

dto! {
    pub struct NeedDetail {
        pub need: Need,
        pub transitions: Vec<Transition>,
        pub reviews: Vec<Review>,
        /// What the asking user may move the need to now.
        pub allowed_transitions: Vec<NeedStatus>,
    }
}

/// Review criteria experts score from 1 to 5.
pub const CRITERIA: [(&str, &str); 4] = [("feasibility", "可行性"), ("benefit", "效益"), ("urgency", "紧迫性"), ("cost", "成本")];

type NeedTuple = (String, String, String, String, String, String, String, String, String, String, Option<String>, i64);

const NEED_SELECT: &str =
    "SELECT n.id, n.unit_id, COALESCE(u.name, ''), n.title, n.kind, n.description, n.priority, n.expected_benefit,
        n.attachments, n.status, n.submitter_name, n.submitted_ms
     FROM needs n LEFT JOIN units u ON u.id = n.unit_id";

fn need_from(t: NeedTuple) -> Need {
    let (
        id,
        unit_id,
        unit_name,
        title,
        kind,
        description,
        priority,
        expected_benefit,
        attachments,
        status,
        submitter_name,
        submitted_ms,
    ) = t;
    Need {
        id,
        unit_id,
        unit_name,
        title,
        kind: NeedKind::parse(&kind).unwrap_or(NeedKind::Need),
        description,
        priority: Priority::parse(&priority).unwrap_or(Priority::Medium),
        expected_benefit,
        attachments: serde_json::from_str(&attachments).unwrap_or_default(),
        status: NeedStatus::parse(&status).unwrap_or(NeedStatus::Submitted),
        submitter_name,
        submitted_ms,
    }
}

/// Needs visible to `actor`: officers see their own unit's only.
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<NeedRow>> {
    let rows: Vec<NeedRow> = sqlx::query_as(
        "SELECT n.id, n.unit_id, COALESCE(u.name, '') AS unit_name, n.title, n.kind, n.priority, n.status, n.submitter_name,
                n.submitted_ms,
                (SELECT COUNT(*) FROM need_reviews r WHERE r.need_id = n.id AND r.deleted = 0) AS review_count,
                (SELECT AVG(total) FROM need_reviews r WHERE r.need_id = n.id AND r.deleted = 0) AS avg_score
         FROM needs n LEFT JOIN units u ON u.id = n.unit_id WHERE n.deleted = 0 ORDER BY n.submitted_ms DESC, n.id DESC",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| actor.can_see_unit(Some(&r.unit_id)))
        .map(|r| NeedRow { avg_score: r.avg_score.map(|s| (s * 100.0).round() / 100.0), ..r })
        .collect())
}

async fn load(store: &Store, actor: &Actor, id: &str) -> Result<Need> {
    let t: Option<NeedTuple> =
        sqlx::query_as(&format!("{NEED_SELECT} WHERE n.id = ? AND n.deleted = 0")).bind(id).fetch_optional(store.pool()).await?;
    let need = need_from(t.ok_or_else(|| Error::NotFound(format!("需求 {id}")))?);
    actor.require_unit(&need.unit_id)?;
    Ok(need)
}

pub async fn get(store: &Store, actor: &Actor, id: &str) -> Result<NeedDetail> {
    let need = load(store, actor, id).await?;
    let transitions: Vec<(String, String, String, Option<String>, i64, String)> = sqlx::query_as(
        "SELECT id, from_status, to_status, actor_name, at_ms, comment FROM need_transitions
         WHERE need_id = ? AND deleted = 0 ORDER BY at_ms, id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let reviews: Vec<(String, Option<String>, String, f64, String, i64)> = sqlx::query_as(
        "SELECT id, expert_name, scores, total, comment, at_ms FROM need_reviews WHERE need_id = ? AND deleted = 0 ORDER BY at_ms, id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let allowed_transitions = zongwu_proto::rules::need_transitions(actor.role, need.status);
    Ok(NeedDetail {
        transitions: transitions
            .into_iter()
            .map(|(id, from, to, actor_name, at_ms, comment)| Transition {
                id,
                from_status: NeedStatus::parse(&from).unwrap_or(NeedStatus::Submitted),
                to_status: NeedStatus::parse(&to).unwrap_or(NeedStatus::Submitted),
                actor_name,
                at_ms,
                comment,
            })
            .collect(),
        reviews: reviews
            .into_iter()
            .map(|(id, expert_name, scores, total, comment, at_ms)| Review {
                id,
                expert_name,
                scores: serde_json::from_str(&scores).unwrap_or_default(),
                total,
                comment,
                at_ms,
            })
            .collect(),
        need,
        allowed_transitions,
    })
}

/// Submit a need. Officers may submit for their own unit only; experts may not submit.
pub async fn submit(store: &Store, actor: &Actor, input: NeedInput) -> Result<Need> {
    actor.require("needs", zongwu_proto::rules::Action::Create, "提交需求")?;
    actor.require_unit(&input.unit_id)?;
    let title = normalise_text(&input.title);
    if title.is_empty() {
        return Err(Error::validation("需求标题不能为空"));
    }
    if title.chars().count() > 100 {
        return Err(Error::validation("需求标题不能超过 100 个字"));
    }
    let attachments: Vec<Attachment> = input
        .attachments
        .into_iter()
        .map(|a| Attachment { name: normalise_text(&a.name), note: a.note.trim().to_string() })
        .filter(|a| !a.name.is_empty())
        .collect();
    let mut tx = store.begin_write(actor).await?;
    let unit_ok: Option<i64> = sqlx::query_scalar("SELECT 1 FROM units WHERE id = ? AND deleted = 0")
        .bind(&input.unit_id)
        .fetch_optional(tx.conn())
        .await?;
    if unit_ok.is_none() {
        return Err(Error::validation("所选单位不存在"));
    }
    let id = new_id();
    let now = tx.now_ms();
    tx.insert(
        Table::Needs,
        &id,
        Some(&input.unit_id),
        json!({
            "title": title, "kind": input.kind.as_str(), "description": input.description.trim(),
            "priority": input.priority.as_str(), "expected_benefit": input.expected_benefit.trim(),
            "attachments": serde_json::to_string(&attachments)?, "status": NeedStatus::Submitted.as_str(),
            "submitter_id": actor.user_id, "submitter_name": actor.name, "submitted_ms": now,
        }),
    )
    .await?;
    tx.commit().await?;
    load(store, actor, &id).await
}

/// Move a need to `to`. Only office staff move needs, only along [`NeedStatus::next`].
pub async fn transition(store: &Store, actor: &Actor, id: &str, to: NeedStatus, comment: &str) -> Result<Need> {
    actor.require_column("needs", "status", "变更需求状态")?;
    let comment = comment.trim();
    if to.needs_comment() && comment.is_empty() {
        return Err(Error::validation(format!("改为「{}」需要填写原因", to.label_zh())));
    }
    let mut tx = store.begin_write(actor).await?;
    tx.set_reason(comment);
    let row: Option<(String, Option<String>)> = sqlx::query_as("SELECT status, unit_id FROM needs WHERE id = ? AND deleted = 0")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    let (from, unit_id) = row.ok_or_else(|| Error::NotFound(format!("需求 {id}")))?;
    let from = NeedStatus::parse(&from).unwrap_or(NeedStatus::Submitted);
    if !from.next().contains(&to) {
        return Err(Error::Conflict(format!("需求当前为「{}」，不能改为「{}」", from.label_zh(), to.label_zh())));
    }
    tx.update(Table::Needs, id, json!({"status": to.as_str()})).await?;
    let now = tx.now_ms();
    tx.insert(
        Table::NeedTransitions,
        &new_id(),
        unit_id.as_deref(),
        json!({"need_id": id, "from_status": from.as_str(), "to_status": to.as_str(),
               "actor_id": actor.user_id, "actor_name": actor.name, "at_ms": now, "comment": comment}),
    )
    .await?;
    tx.commit().await?;
    load(store, actor, id).await
}

/// An expert's review: a 1–5 score for each criterion and a comment. Reviews are accepted while
/// a need is submitted or under review.
pub async fn review(store: &Store, actor: &Actor, input: ReviewInput) -> Result<Review> {
    actor.require("need_reviews", zongwu_proto::rules::Action::Create, "评审需求")?;
    for (key, label) in CRITERIA {
        match input.scores.get(key) {
            Some(s) if (1.0..=5.0).contains(s) => {}
            Some(s) => return Err(Error::validation(format!("{label}评分应在 1 到 5 之间：{s}"))),
            None => return Err(Error::validation(format!("请为{label}打分"))),
        }
    }
    if let Some(extra) = input.scores.keys().find(|k| !CRITERIA.iter().any(|(c, _)| c == k)) {
        return Err(Error::validation(format!("未知的评审指标：{extra}")));
    }
    let total = input.scores.values().sum::<f64>();
    let mut tx = store.begin_write(actor).await?;
    let row: Option<(String, Option<String>)> = sqlx::query_as("SELECT status, unit_id FROM needs WHERE id = ? AND deleted = 0")
        .bind(&input.need_id)
        .fetch_optional(tx.conn())
        .await?;
    let (status, unit_id) = row.ok_or_else(|| Error::NotFound(format!("需求 {}", input.need_id)))?;
    let status = NeedStatus::parse(&status).unwrap_or(NeedStatus::Submitted);
    if !matches!(status, NeedStatus::Submitted | NeedStatus::UnderReview) {
        return Err(Error::Conflict(format!("需求已「{}」，不再接受评审", status.label_zh())));
    }
    let id = new_id();
    let now = tx.now_ms();
    let comment = input.comment.trim().to_string();
    tx.insert(
        Table::NeedReviews,
        &id,
        unit_id.as_deref(),
        json!({"need_id": input.need_id, "expert_id": actor.user_id, "expert_name": actor.name,
               "scores": serde_json::to_string(&input.scores)?, "total": total, "comment": comment, "at_ms": now}),
    )
    .await?;
    tx.commit().await?;
    Ok(Review { id, expert_name: Some(actor.name.clone()), scores: input.scores, total, comment, at_ms: now })
}
