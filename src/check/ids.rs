//! Typed indices into the tables a rule file declares: a level's rank, an
//! indicator's bit, a field's slot, a flag's, theme's, domain's and rule's
//! index, and the index of a selector's mask in the plan. The
//! checker hands them out (it numbers the declarations), the plan and every
//! stage above it read them, so a rank cannot be passed where a slot is
//! meant. Each is its integer and nothing more (`#[repr(transparent)]`,
//! serialized as the bare number), so they cost nothing on the hot path.

use std::fmt;

/// Declares an index newtype over an unsigned integer: `Copy`, ordered,
/// hashable, serialized transparently, with `index()` for slicing and a
/// checked `TryFrom<usize>` for numbering declarations.
macro_rules! index_type {
    ($(#[$meta:meta])* $name:ident($inner:ty)) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        #[repr(transparent)]
        pub struct $name($inner);

        impl $name {
            /// The index from its integer.
            #[inline]
            pub const fn new(n: $inner) -> Self {
                Self(n)
            }

            /// The integer it wraps.
            #[inline]
            pub const fn get(self) -> $inner {
                self.0
            }

            /// Every index from 0 up, to zip with the table it indexes
            /// (`LevelRank::all().zip(&plan.decl.levels)`): no cast, no check.
            #[inline]
            pub fn all() -> impl Iterator<Item = Self> {
                (0..=<$inner>::MAX).map(Self)
            }

            /// The index as a `usize`, for indexing a table.
            #[inline]
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl TryFrom<usize> for $name {
            type Error = std::num::TryFromIntError;

            /// Refuses an index past the integer's range (the checker turns
            /// this into a "too many declarations" error).
            #[inline]
            fn try_from(n: usize) -> Result<Self, Self::Error> {
                <$inner>::try_from(n).map(Self)
            }
        }

        impl From<$inner> for $name {
            #[inline]
            fn from(n: $inner) -> Self {
                Self(n)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

index_type! {
    /// A level's rank: 0 is the lowest level, ranks follow file order.
    LevelRank(u8)
}

index_type! {
    /// An indicator's bit position in a record's indicator set (and its
    /// index in the plan's indicator table).
    IndicatorId(u32)
}

index_type! {
    /// A field's slot: its index in the plan's field table and in a
    /// record's values.
    FieldSlot(u16)
}

index_type! {
    /// A flag's index in the plan's flag table.
    FlagId(u16)
}

index_type! {
    /// A rule's index in the plan's rules, in file order.
    RuleId(u32)
}

index_type! {
    /// A theme's index in the declared themes (and in the plan's theme
    /// masks), in file order.
    ThemeId(u16)
}

index_type! {
    /// A domain's index in the declared domains, in file order.
    DomainId(u16)
}

index_type! {
    /// A selector mask's index in the plan's masks (`count(indicators ...)`,
    /// `any(indicators ...)`), in the order the compiler lowers them.
    MaskId(u32)
}

impl LevelRank {
    /// The lowest level.
    pub const LOWEST: Self = Self(0);

    /// This rank raised by `steps`, never above `top` (SPEC §2.3: a raise
    /// past the top level stops at the top).
    #[inline]
    pub fn raised(self, steps: u8, top: Self) -> Self {
        Self(self.0.saturating_add(steps).min(top.0))
    }

    /// The level just above, if a rank can hold it.
    #[inline]
    pub fn above(self) -> Option<Self> {
        self.up(1)
    }

    /// The level just below, unless this is the lowest.
    #[inline]
    pub fn below(self) -> Option<Self> {
        self.down(1)
    }

    /// The level `steps` above, if a rank can hold it (whether the rule
    /// file has it is for the caller to check against its top).
    #[inline]
    pub fn up(self, steps: u8) -> Option<Self> {
        self.0.checked_add(steps).map(Self)
    }

    /// The level `steps` below, unless that would pass the lowest.
    #[inline]
    pub fn down(self, steps: u8) -> Option<Self> {
        self.0.checked_sub(steps).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_construction_refuses_overflow() {
        assert_eq!(LevelRank::try_from(255usize), Ok(LevelRank::new(255)));
        assert!(LevelRank::try_from(256usize).is_err());
        assert!(FieldSlot::try_from(usize::from(u16::MAX) + 1).is_err());
        assert_eq!(RuleId::try_from(7usize).map(RuleId::index), Ok(7));
        assert!(ThemeId::try_from(usize::from(u16::MAX) + 1).is_err());
        assert_eq!(DomainId::try_from(3usize).map(DomainId::index), Ok(3));
        assert_eq!(MaskId::try_from(9usize).map(MaskId::get), Ok(9));
    }

    #[test]
    fn raise_stops_at_the_top() {
        let top = LevelRank::new(3);
        assert_eq!(LevelRank::new(1).raised(1, top), LevelRank::new(2));
        assert_eq!(LevelRank::new(2).raised(5, top), top);
        assert_eq!(
            LevelRank::new(250).raised(10, LevelRank::new(255)).get(),
            255
        );
    }

    #[test]
    fn steps_up_and_down_stop_at_the_ranks_range() {
        let r = LevelRank::new(2);
        assert_eq!(r.up(2), Some(LevelRank::new(4)));
        assert_eq!(r.down(2), Some(LevelRank::LOWEST));
        assert_eq!(r.down(3), None);
        assert_eq!(LevelRank::new(254).up(2), None);
        assert_eq!((r.above(), r.below()), (r.up(1), r.down(1)));
    }

    #[test]
    fn serialized_as_the_bare_number() {
        let json = serde_json::to_string(&(IndicatorId::new(12), FlagId::new(3)));
        assert_eq!(json.ok().as_deref(), Some("[12,3]"));
        let json = serde_json::to_string(&(ThemeId::new(1), DomainId::new(2), MaskId::new(4)));
        assert_eq!(json.ok().as_deref(), Some("[1,2,4]"));
    }
}
