//! The rules of each kind of record: its export file's columns, how a file row becomes a
//! record, and what [`IntakeRecord::check`] refuses or normalises. Messages are Chinese first,
//! English in brackets, as platforms' staff and developers both read them.

use crate::{Cells, IntakeKind, IntakeRecord, Problems};
use zongwu_proto::public::{Complaint, Payment, RepairTicket};
use zongwu_sheet::{CellKind, ColumnSpec, TableSpec, DATETIME_FORMAT};

/// Every column is read as text ([`CellKind::Text`]): `from_row` reads the typed ones (ids,
/// scores, yes/no, times) through the cells' accessors itself, so the platform's messages say
/// each problem in both languages.
const fn col(key: &'static str, label: &'static str, aliases: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec { key, label, aliases, required, kind: CellKind::Text }
}

/// A time in any form [`zongwu_sheet::parse_datetime`] takes (`2017/9/1 8:05`,
/// `2017-09-01T08:05:00`, `2017年9月1日 8:05`) as `YYYY-MM-DD HH:MM:SS`. A date alone is refused.
pub fn normalise_timestamp(raw: &str) -> std::result::Result<String, String> {
    zongwu_sheet::parse_datetime(raw).map(|t| t.format(DATETIME_FORMAT).to_string()).map_err(|e| e.bilingual())
}

/// PostgreSQL refuses NUL in text; refuse it here, as a row error, on both backends.
const NUL_REASON: &str = "含有不可见的控制字符 NUL (contains a NUL character)";

fn need_text(p: &mut Problems, column: &'static str, value: &mut String, max: usize) {
    *value = value.trim().to_string();
    if value.contains('\0') {
        p.push((column, value.replace('\0', "").chars().take(20).collect(), NUL_REASON.into()));
    } else if value.is_empty() {
        p.push((column, String::new(), "必填 (required)".into()));
    } else if value.chars().count() > max {
        p.push((column, value.chars().take(20).collect(), format!("超过 {max} 个字符 (too long)")));
    }
}

fn opt_text(p: &mut Problems, column: &'static str, value: &mut Option<String>, max: usize) {
    if let Some(v) = value {
        *v = v.trim().to_string();
        if v.is_empty() {
            *value = None;
        } else if v.contains('\0') {
            p.push((column, v.replace('\0', "").chars().take(20).collect(), NUL_REASON.into()));
        } else if v.chars().count() > max {
            p.push((column, v.chars().take(20).collect(), format!("超过 {max} 个字符 (too long)")));
        }
    }
}

fn need_time(p: &mut Problems, column: &'static str, value: &mut String) {
    match normalise_timestamp(value) {
        Ok(t) => *value = t,
        Err(reason) if value.trim().is_empty() => p.push((column, String::new(), format!("必填 (required): {reason}"))),
        Err(reason) => p.push((column, value.clone(), reason)),
    }
}

fn opt_time(p: &mut Problems, column: &'static str, value: &mut Option<String>, not_before: &str) {
    if let Some(v) = value {
        if v.trim().is_empty() {
            *value = None;
            return;
        }
        match normalise_timestamp(v) {
            // Both are normalised, so text order is time order.
            Ok(t) if !not_before.is_empty() && t.as_str() < not_before => {
                p.push((column, v.clone(), format!("早于创建时间 {not_before} (before the record was created)")))
            }
            Ok(t) => *v = t,
            Err(reason) => p.push((column, v.clone(), reason)),
        }
    }
}

fn score(p: &mut Problems, column: &'static str, value: Option<i64>) {
    if value.is_some_and(|v| !(1..=5).contains(&v)) {
        p.push((column, value.unwrap_or_default().to_string(), "应为 1 到 5 (must be 1 to 5)".into()));
    }
}

/// A 1-5 score as a file writes it: `4`, `4.0`, a float cell, `４`, `4分`, `5星`.
fn parse_score(cells: &Cells<'_>, key: &'static str, p: &mut Problems) -> Option<i64> {
    cells.cell(key).without_suffix(&["分", "星"]).as_int().unwrap_or_else(|e| {
        p.push((key, e.value.clone(), format!("{e}：应为 1 到 5 的整数 (must be a whole number 1 to 5)")));
        None
    })
}

impl IntakeRecord for RepairTicket {
    const KIND: IntakeKind = IntakeKind::RepairTickets;
    const SPEC: TableSpec = TableSpec {
        what: "报修记录",
        preferred_sheets: &["报修", "工单", "repair"],
        columns: &[
            col("platform_record_id", "报修单号", &["工单号", "单号", "编号", "record id", "id"], true),
            col("unit", "服务单位", &["单位", "责任单位", "维修单位"], true),
            col("category", "报修类别", &["类别", "类型", "报修类型"], false),
            col("location", "报修地点", &["地点", "位置", "地址"], false),
            col("created_at", "报修时间", &["创建时间", "提交时间", "下单时间"], true),
            col("accepted_at", "受理时间", &["接单时间"], false),
            col("completed_at", "完成时间", &["维修完成时间"], false),
            col("closed_at", "关闭时间", &["结单时间"], false),
            col("rating", "评价", &["评分", "满意度"], false),
            col("reopened", "是否返修", &["返修"], false),
        ],
    };

    fn check(&mut self) -> Problems {
        let mut p = Vec::new();
        need_text(&mut p, "platform_record_id", &mut self.platform_record_id, 128);
        need_text(&mut p, "unit", &mut self.unit, 64);
        opt_text(&mut p, "category", &mut self.category, 64);
        opt_text(&mut p, "location", &mut self.location, 200);
        need_time(&mut p, "created_at", &mut self.created_at);
        let created = if p.iter().any(|e| e.0 == "created_at") { String::new() } else { self.created_at.clone() };
        opt_time(&mut p, "accepted_at", &mut self.accepted_at, &created);
        opt_time(&mut p, "completed_at", &mut self.completed_at, &created);
        opt_time(&mut p, "closed_at", &mut self.closed_at, &created);
        score(&mut p, "rating", self.rating);
        p
    }
    fn record_id(&self) -> &str {
        &self.platform_record_id
    }
    fn unit(&self) -> Option<&str> {
        Some(&self.unit)
    }
    fn occurred_at(&self) -> &str {
        &self.created_at
    }
    fn from_row(c: &Cells<'_>) -> Result<Self, Problems> {
        let mut p = Vec::new();
        let platform_record_id = c.exact("platform_record_id", &mut p);
        let rating = parse_score(c, "rating", &mut p);
        let reopened = c.cell("reopened").as_bool().unwrap_or_else(|e| {
            p.push(("reopened", e.value.clone(), e.bilingual()));
            None
        });
        if !p.is_empty() {
            return Err(p);
        }
        Ok(RepairTicket {
            platform_record_id,
            unit: c.required("unit"),
            category: c.text("category"),
            location: c.text("location"),
            created_at: c.time("created_at").unwrap_or_default(),
            accepted_at: c.time("accepted_at"),
            completed_at: c.time("completed_at"),
            closed_at: c.time("closed_at"),
            rating,
            reopened,
        })
    }
}

impl IntakeRecord for Complaint {
    const KIND: IntakeKind = IntakeKind::Complaints;
    const SPEC: TableSpec = TableSpec {
        what: "吐槽记录",
        preferred_sheets: &["吐槽", "投诉", "complaint"],
        columns: &[
            col("platform_record_id", "吐槽编号", &["投诉编号", "编号", "单号", "record id", "id"], true),
            col("unit", "服务单位", &["单位", "责任单位"], false),
            col("channel", "渠道", &["来源"], false),
            col("text", "内容", &["吐槽内容", "投诉内容"], true),
            col("created_at", "吐槽时间", &["投诉时间", "创建时间", "时间"], true),
            col("replied_at", "回复时间", &[], false),
            col("resolved_at", "解决时间", &["处理完成时间"], false),
            col("satisfaction", "满意度", &["评分", "评价"], false),
        ],
    };

    fn check(&mut self) -> Problems {
        let mut p = Vec::new();
        need_text(&mut p, "platform_record_id", &mut self.platform_record_id, 128);
        opt_text(&mut p, "unit", &mut self.unit, 64);
        opt_text(&mut p, "channel", &mut self.channel, 64);
        need_text(&mut p, "text", &mut self.text, 5000);
        need_time(&mut p, "created_at", &mut self.created_at);
        let created = if p.iter().any(|e| e.0 == "created_at") { String::new() } else { self.created_at.clone() };
        opt_time(&mut p, "replied_at", &mut self.replied_at, &created);
        opt_time(&mut p, "resolved_at", &mut self.resolved_at, &created);
        score(&mut p, "satisfaction", self.satisfaction);
        p
    }
    fn record_id(&self) -> &str {
        &self.platform_record_id
    }
    fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }
    fn occurred_at(&self) -> &str {
        &self.created_at
    }
    fn from_row(c: &Cells<'_>) -> Result<Self, Problems> {
        let mut p = Vec::new();
        let platform_record_id = c.exact("platform_record_id", &mut p);
        let satisfaction = parse_score(c, "satisfaction", &mut p);
        if !p.is_empty() {
            return Err(p);
        }
        Ok(Complaint {
            platform_record_id,
            unit: c.text("unit"),
            channel: c.text("channel"),
            text: c.required("text"),
            created_at: c.time("created_at").unwrap_or_default(),
            replied_at: c.time("replied_at"),
            resolved_at: c.time("resolved_at"),
            satisfaction,
        })
    }
}

/// "12.5" yuan as 1250 fen; at most two decimals, positive. Written as any number
/// [`zongwu_sheet::normalise_number`] takes (`1,000`, `１２.５`), with `¥`/`￥` before or `元`
/// after.
pub fn yuan_to_fen(raw: &str) -> Option<i64> {
    let s = zongwu_sheet::normalise_text(raw);
    let s = s.trim_start_matches(['¥', '￥']).trim_end_matches('元');
    let s = zongwu_sheet::normalise_number(s).ok()?;
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    // A sign (refunds are a status, not a negative amount) or an exponent is no amount.
    if !whole.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let fen = whole.parse::<i64>().ok()?.checked_mul(100)?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    fen.checked_add(frac)
}

impl IntakeRecord for Payment {
    const KIND: IntakeKind = IntakeKind::Payments;
    const SPEC: TableSpec = TableSpec {
        what: "缴费记录",
        preferred_sheets: &["缴费", "支付", "payment"],
        columns: &[
            col("platform_record_id", "订单号", &["流水号", "交易号", "单号", "record id", "id"], true),
            col("unit", "收款单位", &["单位", "服务单位"], false),
            col("item", "缴费项目", &["项目", "商品"], true),
            col("amount", "金额", &["缴费金额", "支付金额", "amount"], true),
            col("paid_at", "支付时间", &["缴费时间", "交易时间"], true),
            col("channel", "支付渠道", &["渠道"], false),
            col("status", "状态", &["交易状态"], false),
        ],
    };

    fn check(&mut self) -> Problems {
        let mut p = Vec::new();
        need_text(&mut p, "platform_record_id", &mut self.platform_record_id, 128);
        opt_text(&mut p, "unit", &mut self.unit, 64);
        need_text(&mut p, "item", &mut self.item, 64);
        if self.amount_cents <= 0 {
            p.push(("amount_cents", self.amount_cents.to_string(), "金额必须大于 0 (must be positive)".into()));
        }
        need_time(&mut p, "paid_at", &mut self.paid_at);
        opt_text(&mut p, "channel", &mut self.channel, 64);
        self.status = match self.status.as_deref().map(str::trim) {
            None | Some("" | "paid" | "已支付" | "成功" | "支付成功") => Some("paid".into()),
            Some("refunded" | "已退款" | "退款") => Some("refunded".into()),
            Some(other) => {
                p.push(("status", other.to_string(), "应为 paid（已支付）或 refunded（已退款）".into()));
                None
            }
        };
        p
    }
    fn record_id(&self) -> &str {
        &self.platform_record_id
    }
    fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }
    fn occurred_at(&self) -> &str {
        &self.paid_at
    }
    fn from_row(c: &Cells<'_>) -> Result<Self, Problems> {
        let mut p = Vec::new();
        let platform_record_id = c.exact("platform_record_id", &mut p);
        let raw = c.required("amount");
        let amount_cents = yuan_to_fen(&raw).unwrap_or_else(|| {
            p.push(("amount", raw, "金额应为元，最多两位小数，如 12.50 (yuan, at most 2 decimals)".into()));
            0
        });
        if !p.is_empty() {
            return Err(p);
        }
        Ok(Payment {
            platform_record_id,
            unit: c.text("unit"),
            item: c.required("item"),
            amount_cents,
            paid_at: c.time("paid_at").unwrap_or_default(),
            channel: c.text("channel"),
            status: c.text("status"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_normalise_or_explain() {
        assert_eq!(
            normalise_timestamp("2017/9/1 8:05").unwrap(),
            "2017-09-01 08:05:00",
            "slashes and single digits, as Excel shows them"
        );
        assert_eq!(normalise_timestamp(" 2017-09-01 08:05 ").unwrap(), "2017-09-01 08:05:00");
        assert_eq!(normalise_timestamp("2017-09-01T08:05:09").unwrap(), "2017-09-01 08:05:09");
        assert!(normalise_timestamp("2017-09-01").unwrap_err().contains("缺少时刻"), "a date alone is refused, not midnight");
        assert_eq!(normalise_timestamp("2017年9月14日 11：29").unwrap(), "2017-09-14 11:29:00", "the shared reader's forms");
        assert!(normalise_timestamp("9/14/2017 11:29").unwrap_err().contains("expected a date and time"), "bilingual");
    }

    #[test]
    fn yuan_become_fen() {
        assert_eq!(yuan_to_fen("12.5"), Some(1250));
        assert_eq!(yuan_to_fen("￥1,000"), Some(100_000));
        assert_eq!(yuan_to_fen("0.01"), Some(1));
        assert_eq!(yuan_to_fen("1.001"), None);
        assert_eq!(yuan_to_fen("-3"), None);
        assert_eq!(yuan_to_fen("abc"), None);
        assert_eq!(yuan_to_fen("１，２３４.５元"), Some(123_450), "full-width, grouped, with 元");
        assert_eq!(yuan_to_fen("1,23"), None, "a comma that groups no thousands is not guessed at");
        assert_eq!(yuan_to_fen("1e3"), None);
    }
}
