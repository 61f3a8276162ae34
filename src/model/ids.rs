//! Typed indices into the validated scenario, and the principle bit set.

use serde::Serialize;

macro_rules! index_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub struct $name(pub u16);

        impl $name {
            pub fn index(self) -> usize {
                usize::from(self.0)
            }
            /// Validation caps every table far below `u16::MAX`.
            pub fn from_index(i: usize) -> Self {
                Self(i as u16)
            }
        }
    };
}

index_type!(
    /// An actor (state, company or proxy), by position in the scenario.
    ActorId
);
index_type!(
    /// An infrastructure asset.
    AssetId
);
index_type!(
    /// An action of the catalogue.
    ActionId
);
index_type!(
    /// A norm set.
    NormSetId
);
index_type!(
    /// A principle of some norm set, numbered across all sets.
    PrincipleId
);

/// Most principles a world may hold across all its norm sets.
pub const MAX_PRINCIPLES: usize = 128;

/// A set of principles as bits: checking an action against an actor's commitments is one AND.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PrincipleMask(pub u128);

impl PrincipleMask {
    pub const EMPTY: PrincipleMask = PrincipleMask(0);

    pub fn with(self, p: PrincipleId) -> Self {
        PrincipleMask(self.0 | (1u128 << p.0))
    }
    pub fn contains(self, p: PrincipleId) -> bool {
        self.0 & (1u128 << p.0) != 0
    }
    pub fn and(self, other: Self) -> Self {
        PrincipleMask(self.0 & other.0)
    }
    pub fn or(self, other: Self) -> Self {
        PrincipleMask(self.0 | other.0)
    }
    pub fn count(self) -> u32 {
        self.0.count_ones()
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = PrincipleId> {
        (0..128u16).filter(move |i| self.0 & (1u128 << i) != 0).map(PrincipleId)
    }
}
