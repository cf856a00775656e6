//! The rules of server accounts, shared by the users routes, the bootstrap admin and `--demo`:
//! what a new user must be, that officers (and only officers) belong to a unit, and the wire form
//! of a user.

use crate::db::{NewUser, Role, User};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use zongwu_proto::api::Account;

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreateUser {
    pub login: String,
    pub password: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub unit_id: Option<String>,
}

/// Checks shared by the route and by `--demo` seeding.
pub(crate) fn validate_new_user(req: &CreateUser) -> Result<()> {
    if req.login.trim().is_empty() || req.login.len() > 64 {
        return Err(Error::BadRequest("login must be 1 to 64 characters".into()));
    }
    if req.password.chars().count() < zongwu_proto::MIN_PASSWORD_CHARS {
        return Err(Error::BadRequest(format!("password must have at least {} characters", zongwu_proto::MIN_PASSWORD_CHARS)));
    }
    check_role_unit(req.role, &req.unit_id)
}

/// Officers belong to exactly one unit; nobody else belongs to one.
pub(crate) fn check_role_unit(role: Role, unit_id: &Option<String>) -> Result<()> {
    match (role.belongs_to_unit(), unit_id) {
        (true, None) => Err(Error::BadRequest("an officer needs a unit_id".into())),
        (true, Some(_)) | (false, None) => Ok(()),
        (false, Some(_)) => Err(Error::BadRequest("only officers belong to a unit".into())),
    }
}

/// The stored form of a validated request.
pub(crate) fn new_user(req: &CreateUser, password_hash: String) -> NewUser {
    NewUser {
        login: req.login.trim().to_string(),
        name: req.name.clone(),
        role: req.role,
        unit_id: req.unit_id.clone(),
        password_hash,
    }
}

/// The wire form of a user.
pub fn account(user: &User) -> Account {
    Account {
        id: user.id.clone(),
        login: user.login.clone(),
        name: user.name.clone(),
        role: user.role,
        unit_id: user.unit_id.clone(),
    }
}
