//! stub
pub struct Board;
pub struct MoveCheck;
pub struct SwapSuggestion;
