//! `zongwu-server --demo`: demo accounts for trying the desktop against a server.
//!
//! The officers are bound to `demo-unit-01`…`03`, the fixed ids of the desktop's first three
//! demo units (总务部办公室, 饮食服务中心, 公寓管理中心; `zongwu_core::demo::demo_unit_id`), so a
//! demo desktop that uploaded its data shows officer1 their unit.

use crate::accounts::CreateUser;
use crate::db::Role;
use crate::error::{Error, Result};
use crate::AppState;

/// One seeded account, printed on start so people can log in.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub login: String,
    pub password: String,
    pub role: Role,
    pub unit_id: Option<String>,
}

pub fn accounts() -> Vec<DemoAccount> {
    let mut out = vec![
        DemoAccount { login: "admin".into(), password: "demo-admin-pass".into(), role: Role::Admin, unit_id: None },
        DemoAccount { login: "office".into(), password: "demo-office-pass".into(), role: Role::Office, unit_id: None },
        DemoAccount { login: "expert".into(), password: "demo-expert-pass".into(), role: Role::Expert, unit_id: None },
    ];
    for i in 1..=3 {
        out.push(DemoAccount {
            login: format!("officer{i}"),
            password: format!("demo-officer{i}-pass"),
            role: Role::Officer,
            unit_id: Some(format!("demo-unit-{i:02}")),
        });
    }
    out
}

/// Create every demo account that does not exist yet; returns all of them.
pub async fn seed(state: &AppState) -> Result<Vec<DemoAccount>> {
    let all = accounts();
    for a in &all {
        let req = CreateUser {
            login: a.login.clone(),
            password: a.password.clone(),
            name: a.login.clone(),
            role: a.role,
            unit_id: a.unit_id.clone(),
        };
        match state.create_user(req).await {
            Ok(_) | Err(Error::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(all)
}

/// What [`seed_public`] set up, printed on start so people can try the public API.
#[derive(Debug, Clone)]
pub struct DemoPublic {
    pub plan_id: String,
    pub students: usize,
    /// One student to look up, and their second factor.
    pub student_no: String,
    pub second_factor: String,
    /// The intake key of the `demo-platform` (a new one per start: keys are stored only hashed).
    pub platform_key: String,
}

/// The demo student number of index `i` (0-based) and its second factor: `2026` + six digits,
/// and the last six characters of a made-up ID number. A load test derives the same pairs.
pub fn demo_student(i: usize) -> (String, String) {
    (format!("2026{:06}", i + 1), format!("{:06}", (i * 7919 + 123_457) % 1_000_000))
}

/// Publish a demo housing plan of `students` freshmen (four to a room) and create a demo platform
/// key. Separate from [`seed`] so the accounts and the public data can change independently.
pub async fn seed_public(state: &AppState, students: usize) -> Result<DemoPublic> {
    use zongwu_proto::public::{PlanAssignment, PublishPlan};
    const COLLEGES: [&str; 6] = ["计算机学院", "矿业工程学院", "安全工程学院", "机电工程学院", "化工学院", "外国语言文化学院"];
    const CITIES: [&str; 8] = ["徐州", "南京", "苏州", "郑州", "济南", "合肥", "西安", "成都"];
    const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
    const GIVEN: [&str; 8] = ["子涵", "浩然", "雨桐", "梓轩", "欣怡", "宇航", "思远", "佳琪"];
    let assignments = (0..students)
        .map(|i| {
            let (student_no, second_factor) = demo_student(i);
            let room = i / 4;
            PlanAssignment {
                student_no,
                name: format!("{}{}", SURNAMES[i % 8], GIVEN[(i / 8) % 8]),
                college: COLLEGES[(i / 4) % COLLEGES.len()].into(),
                home_city: CITIES[(i * 5) % CITIES.len()].into(),
                campus: "南湖".into(),
                building: format!("{}号楼", room / 200 + 1),
                room: format!("{}", 100 * ((room % 200) / 20 + 1) + room % 20 + 1),
                bed: format!("{}", i % 4 + 1),
                second_factor,
            }
        })
        .collect();
    let plan = PublishPlan { name: "2026 级新生住宿（演示）".into(), published: true, assignments };
    let rows = crate::housing::validate_assignments(&state.pepper, &plan)?;
    let plan_id = "demo-plan-2026".to_string();
    state.db.put_plan(&plan_id, &plan.name, true, &rows, state.now_ms()).await?;
    let key = state.create_platform_key("demo-platform", "演示平台", "demo").await?;
    let (student_no, second_factor) = demo_student(0);
    Ok(DemoPublic { plan_id, students, student_no, second_factor, platform_key: key.key })
}
