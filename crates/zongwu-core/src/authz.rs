//! Who may do what. Every domain function takes the acting user and checks here, so a rule holds
//! whether the call came from the window, the CLI or (later) a synced peer.

use crate::{dto, Error, Result};
pub use zongwu_proto::Role;

dto! {
    /// The user a write is attributed to.
    pub struct Actor {
        pub user_id: String,
        pub name: String,
        pub role: Role,
        /// Set for liaison officers: the one unit they act for.
        pub unit_id: Option<String>,
    }
}

impl Actor {
    /// The office's built-in local profile, used before anyone logs in to a server.
    pub fn local_admin() -> Actor {
        Actor { user_id: "local-admin".into(), name: "本机管理员".into(), role: Role::Admin, unit_id: None }
    }

    /// This actor as the rule table sees them.
    pub fn subject(&self) -> zongwu_proto::rules::Subject<'_> {
        zongwu_proto::rules::Subject { user_id: &self.user_id, role: self.role, unit_id: self.unit_id.as_deref() }
    }

    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }

    /// Office staff manage units, the roster and the needs pipeline.
    pub fn require_staff(&self, what: &str) -> Result<()> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("只有总务办工作人员可以{what}")))
        }
    }

    /// Making, listing and restoring backups: the actor's `backup` capability (office staff).
    pub fn require_backup(&self) -> Result<()> {
        if crate::Capabilities::of(self).backup {
            Ok(())
        } else {
            Err(Error::Forbidden("只有总务办工作人员可以备份或恢复数据".into()))
        }
    }

    /// Whether the rule table lets this actor make `action` on some row of `table`; the message
    /// says what they tried. The row-level verdict comes again from `WriteTx`'s check.
    pub fn require(&self, table: &str, action: zongwu_proto::rules::Action, what: &str) -> Result<()> {
        if zongwu_proto::rules::may(self.role, table, action) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("你的角色不能{what}")))
        }
    }

    /// Whether the rule table lets this actor change `column` of `table`.
    pub fn require_column(&self, table: &str, column: &str, what: &str) -> Result<()> {
        if zongwu_proto::rules::may_set(self.role, table, column) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("你的角色不能{what}")))
        }
    }

    /// Officers reach only their own unit; staff and experts may read every unit.
    pub fn require_unit(&self, unit_id: &str) -> Result<()> {
        match self.role {
            Role::Officer if self.unit_id.as_deref() != Some(unit_id) => {
                Err(Error::Forbidden("信息专员只能处理本单位的数据".into()))
            }
            _ => Ok(()),
        }
    }

    /// Whether this actor may see rows of `unit_id`.
    pub fn can_see_unit(&self, unit_id: Option<&str>) -> bool {
        self.subject().sees_unit(unit_id)
    }
}
