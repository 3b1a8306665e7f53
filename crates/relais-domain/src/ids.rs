//! Typed identifiers (UUIDv7) so that an agent id is never passed where a
//! structure id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! typed_id {
    ($name:ident) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::parse_str(s.trim()).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        /// The plain UUID, for the journal (which takes any object's id)
        /// and for SQL.
        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    };
}

typed_id!(StructureId);
typed_id!(AgentId);
typed_id!(ApiTokenId);
typed_id!(PersonId);
typed_id!(HelpRequestId);
typed_id!(InterventionId);
typed_id!(FollowUpId);
typed_id!(MandateId);
typed_id!(PrivateNoteId);
typed_id!(NotificationId);
typed_id!(PlaceId);
typed_id!(ReferralId);
