//! The engine's acceptance tests (issue #10): hard rules under random instances, optimality on
//! tiny ones, quality on realistic ones, and impossible intakes.

mod helpers;
mod impossible;
mod optimality;
mod properties;
mod quality;
