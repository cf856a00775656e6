//! Demo data for a first start and for `zongwu demo`: units modelled on a university logistics
//! department, a liaison-officer roster, and needs spread over every workflow state. Generated
//! from a fixed seed so every install shows the same office.

use crate::needs::{self, Attachment, NeedInput, NeedKind, NeedStatus, Priority, ReviewInput};
use crate::officers::{self, OfficerInput, ValidOfficer};
use crate::units::{self, UnitKind};
use crate::{users, Actor, Error, Result, Role, Store};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone)]
pub struct DemoSize {
    pub officers: usize,
    pub needs: usize,
    pub seed: u64,
}

impl Default for DemoSize {
    fn default() -> Self {
        DemoSize { officers: 120, needs: 60, seed: 2017 }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DemoCounts {
    pub units: usize,
    pub officers: usize,
    pub needs: usize,
}

impl fmt::Display for DemoCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 个单位 units, {} 名信息专员 officers, {} 条需求 needs", self.units, self.officers, self.needs)
    }
}

const UNITS: [(&str, &str, UnitKind); 18] = [
    ("ZW01", "总务部办公室", UnitKind::Office),
    ("ZW02", "饮食服务中心", UnitKind::ServiceUnit),
    ("ZW03", "公寓管理中心", UnitKind::ServiceUnit),
    ("ZW04", "物业管理中心", UnitKind::ServiceUnit),
    ("ZW05", "能源管理中心", UnitKind::ServiceUnit),
    ("ZW06", "维修服务中心", UnitKind::ServiceUnit),
    ("ZW07", "校医院", UnitKind::ServiceUnit),
    ("ZW08", "交通服务中心", UnitKind::ServiceUnit),
    ("ZW09", "南湖校区管理办公室", UnitKind::Office),
    ("ZW10", "文昌校区管理办公室", UnitKind::Office),
    ("XY01", "矿业工程学院", UnitKind::College),
    ("XY02", "安全工程学院", UnitKind::College),
    ("XY03", "资源与地球科学学院", UnitKind::College),
    ("XY04", "机电工程学院", UnitKind::College),
    ("XY05", "信息与控制工程学院", UnitKind::College),
    ("XY06", "计算机科学与技术学院", UnitKind::College),
    ("XY07", "经济管理学院", UnitKind::College),
    ("XY08", "外国语言文化学院", UnitKind::College),
];

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈";
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文博晨宇欣怡子轩浩然雨涵思远嘉怡俊杰";
const TITLES: [&str; 6] = ["办公室主任", "副主任", "科员", "信息员", "综合办干事", "辅导员"];
const TOPICS: [&str; 4] = ["互联网思维专题培训", "微平台运营与报修流程", "数据简报编写规范", "信息安全与个人信息保护"];

const NEED_TITLES: [(&str, NeedKind); 16] = [
    ("宿舍报修进度实时查询", NeedKind::Need),
    ("食堂菜品满意度评价", NeedKind::Scenario),
    ("一卡通在线缴费与财务对账", NeedKind::Need),
    ("能耗监测数据看板", NeedKind::ProjectIdea),
    ("迎新查住宿与找舍友", NeedKind::Scenario),
    ("维修工单超时提醒", NeedKind::Need),
    ("校医院预约挂号", NeedKind::Scenario),
    ("物业巡检扫码打卡", NeedKind::Need),
    ("校园班车实时位置", NeedKind::ProjectIdea),
    ("吐槽意见自动分类与舆情分析", NeedKind::ProjectIdea),
    ("线下一站式服务大厅排队叫号", NeedKind::Scenario),
    ("公寓门禁与晚归统计", NeedKind::Need),
    ("水电表远程抄表", NeedKind::ProjectIdea),
    ("会议室在线预约", NeedKind::Need),
    ("失物招领线上发布", NeedKind::Scenario),
    ("每月数据简报自动生成", NeedKind::ProjectIdea),
];

/// A small deterministic generator (SplitMix64): demo data must look the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The id of demo unit number `n` (1-based): `demo-unit-01`, the same on every install and on
/// the server's demo accounts.
pub fn demo_unit_id(n: usize) -> String {
    format!("demo-unit-{n:02}")
}

/// Fill an empty database. Refuses when units already exist.
pub async fn generate(store: &Store, size: &DemoSize) -> Result<DemoCounts> {
    if !units::list(store).await?.is_empty() {
        return Err(Error::Conflict("数据库中已有单位，不能生成演示数据".into()));
    }
    let admin = Actor::local_admin();
    let mut rng = Rng(size.seed);
    // Fixed ids, so `zongwu-server --demo`'s officers (bound to demo-unit-01…03) find their
    // units on a demo desktop that uploaded its data.
    let mut unit_ids = Vec::new();
    let mut tx = store.begin_write(&admin).await?;
    tx.set_reason("生成演示数据");
    for (i, (code, name, kind)) in UNITS.into_iter().enumerate() {
        let id = demo_unit_id(i + 1);
        let cols = serde_json::json!({"code": code, "name": name, "kind": kind.as_str(), "active": true});
        tx.insert(crate::store::Table::Units, &id, Some(&id), cols).await?;
        unit_ids.push(id);
    }
    tx.commit().await?;

    let surnames: Vec<char> = SURNAMES.chars().collect();
    let given: Vec<char> = GIVEN.chars().collect();
    let mut tx = store.begin_write(&admin).await?;
    tx.set_reason("生成演示数据");
    for i in 0..size.officers {
        let unit_id = unit_ids[i % unit_ids.len()].clone();
        let name: String =
            std::iter::once(*rng.pick(&surnames)).chain((0..1 + rng.below(2)).map(|_| *rng.pick(&given))).collect();
        let year = 2015 + rng.below(3);
        let input = OfficerInput {
            id: None,
            unit_id,
            staff_no: format!("{:07}", 1_990_000 + i * 7 + rng.below(7)),
            name,
            gender: Some(if rng.below(2) == 0 { "男" } else { "女" }.into()),
            title: Some(rng.pick(&TITLES).to_string()),
            phone: Some(format!("1{}{:09}", [3, 5, 8][rng.below(3)], rng.next() % 1_000_000_000)),
            email: Some(format!("officer{i:03}@cumt.edu.cn")),
            term_start: Some(format!("{year}-09-01")),
            term_end: Some(format!("{}-08-31", year + 3)),
            duties: Some("收集本单位信息化需求，对接智慧总务建设办公室".into()),
            note: None,
        };
        let valid = ValidOfficer::parse(&input).map_err(|(_, e)| Error::Internal(format!("demo officer: {e}")))?;
        let id = officers::insert_valid(&mut tx, &valid).await?;
        for t in 0..rng.below(3) {
            let cols = serde_json::json!({
                "officer_id": id, "date": format!("2017-{:02}-{:02}", 3 + t * 3, 10 + rng.below(15)),
                "topic": TOPICS[(i + t) % TOPICS.len()], "attended": rng.below(6) != 0, "hours": 2 + rng.below(3),
            });
            tx.insert(crate::store::Table::Trainings, &crate::store::new_id(), Some(&valid.unit_id), cols).await?;
        }
    }
    tx.commit().await?;

    let officer_users: Vec<users::UserSummary> =
        users::list(store).await?.into_iter().filter(|u| u.role == Role::Officer).collect();
    let expert = users::actor(store, users::LOCAL_EXPERT_ID).await?;
    let mut made = 0;
    for i in 0..size.needs {
        if officer_users.is_empty() {
            break;
        }
        let submitter = users::actor(store, &officer_users[i % officer_users.len()].id).await?;
        let (title, kind) = NEED_TITLES[i % NEED_TITLES.len()];
        let unit_id = submitter.unit_id.clone().unwrap_or_default();
        let need = needs::submit(
            store,
            &submitter,
            NeedInput {
                unit_id,
                title: if i < NEED_TITLES.len() {
                    title.to_string()
                } else {
                    format!("{title}（{}）", i / NEED_TITLES.len() + 1)
                },
                kind,
                description: format!("{title}：目前依靠电话和纸质登记，效率低、无法统计。希望在“CUMT微生活”平台上实现线上办理。"),
                priority: *rng.pick(&[Priority::Low, Priority::Medium, Priority::High, Priority::Urgent]),
                expected_benefit: "减少师生跑腿，数据可用于单位考核与数据简报".into(),
                attachments: vec![Attachment { name: "需求说明.docx".into(), note: "单位内部讨论稿".into() }],
            },
        )
        .await?;
        made += 1;
        // Walk the need some way along the pipeline so every column of the board has cards.
        let path: &[NeedStatus] = match i % 7 {
            0 => &[],
            1 => &[NeedStatus::UnderReview],
            2 => &[NeedStatus::UnderReview, NeedStatus::Approved],
            3 => &[NeedStatus::UnderReview, NeedStatus::Approved, NeedStatus::InDevelopment],
            4 => &[NeedStatus::UnderReview, NeedStatus::Approved, NeedStatus::InDevelopment, NeedStatus::Launched],
            5 => &[NeedStatus::UnderReview, NeedStatus::Rejected],
            _ => &[NeedStatus::OnHold],
        };
        for (step, to) in path.iter().enumerate() {
            if step == 1 {
                let scores: BTreeMap<String, f64> =
                    needs::CRITERIA.iter().map(|(k, _)| (k.to_string(), 2.0 + rng.below(4) as f64)).collect();
                needs::review(
                    store,
                    &expert,
                    ReviewInput { need_id: need.id.clone(), scores, comment: "方案可行，建议分期建设".into() },
                )
                .await?;
            }
            let comment = if to.needs_comment() { "与现有平台功能重复，暂不立项" } else { "" };
            needs::transition(store, &admin, &need.id, *to, comment).await?;
        }
    }
    Ok(DemoCounts { units: unit_ids.len(), officers: size.officers, needs: made })
}
