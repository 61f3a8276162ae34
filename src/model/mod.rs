//! The simulation's state: ECS components for actors and assets, resources for
//! everything that belongs to pairs of actors or to the run as a whole.

pub mod choice;
pub mod events;
pub mod ids;
pub mod ladder;
pub mod params;
pub mod sector;
pub mod state;
