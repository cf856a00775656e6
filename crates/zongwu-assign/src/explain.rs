//! stub
pub struct Fairness; pub struct Report; pub struct RoomReport; pub struct StudentReport; pub struct UnmetReason; pub struct UnmetRequest;
