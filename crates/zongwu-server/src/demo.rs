//! `zongwu-server --demo`: demo accounts for trying the desktop against a server.
//!
//! The officers are bound to `demo-unit-01`…`03`, the fixed ids of the desktop's first three
//! demo units (总务部办公室, 饮食服务中心, 公寓管理中心; `zongwu_core::demo::demo_unit_id`), so a
//! demo desktop that uploaded its data shows officer1 their unit.

use crate::api::CreateUser;
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
