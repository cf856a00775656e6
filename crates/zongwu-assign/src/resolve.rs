//! stub
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlanDiff; pub struct MoveWhy; pub struct StudentMove;
