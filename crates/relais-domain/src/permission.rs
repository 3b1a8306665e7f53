//! What each role may do: one [`Permission`] per capability and one table,
//! [`Role::permissions`]. Every use case of the service starts by asking
//! for its permission; the router guards each route with one; the
//! navigation shows a link when the permission of its page is held. No
//! other code compares roles.

use crate::account::Role;
use serde::Serialize;

/// One capability of an agent in a structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Find and open the persons of the structure.
    ViewPersons,
    /// Record and change persons, their online accounts, reminder consent.
    EditPersons,
    /// Read and write the social notes of a person's file.
    SeeSocialNotes,
    /// Merge a duplicate person into another.
    MergePersons,
    /// Record requests, interventions and follow-ups (the desk).
    RecordRequest,
    /// Draw up, sign, revoke and renew mandates; read the charter.
    HandleMandates,
    /// Search the places and refer persons to them.
    ReferToPlaces,
    /// Read one's own reminders (inbox, calendar feed).
    ReadInbox,
    /// One's own figures and exports.
    ViewOwnStatistics,
    /// The whole structure's figures, exports and monthly report.
    ViewStructureStatistics,
    /// The figures of every structure of the instance.
    ViewInstanceStatistics,
    /// The team's overdue follow-ups on the home page.
    SeeTeamFollowUps,
    /// Invite, deactivate, reactivate members; give reset links.
    ManageTeam,
    /// Write the structure's policy (mandates, retention, charter).
    ManagePolicy,
    /// Persons' rights: subject access, erasure, retention, who opened a
    /// file.
    HandleRights,
    /// The structure's catalogue: local procedures, settings, channels.
    ManageCatalogue,
    /// The structure's own places.
    ManagePlaces,
    /// Import the national files of places.
    ImportPlaces,
    /// Create structures.
    ManageStructures,
    /// Watch the e-mails waiting or failing to go out.
    SeeEmailBacklog,
}

impl Permission {
    pub const ALL: [Permission; 20] = [
        Permission::ViewPersons,
        Permission::EditPersons,
        Permission::SeeSocialNotes,
        Permission::MergePersons,
        Permission::RecordRequest,
        Permission::HandleMandates,
        Permission::ReferToPlaces,
        Permission::ReadInbox,
        Permission::ViewOwnStatistics,
        Permission::ViewStructureStatistics,
        Permission::ViewInstanceStatistics,
        Permission::SeeTeamFollowUps,
        Permission::ManageTeam,
        Permission::ManagePolicy,
        Permission::HandleRights,
        Permission::ManageCatalogue,
        Permission::ManagePlaces,
        Permission::ImportPlaces,
        Permission::ManageStructures,
        Permission::SeeEmailBacklog,
    ];
}

use Permission as P;

/// What every role holds: the desk.
const DESK: &[Permission] = &[
    P::ViewPersons,
    P::EditPersons,
    P::RecordRequest,
    P::HandleMandates,
    P::ReferToPlaces,
    P::ReadInbox,
    P::ViewOwnStatistics,
];

/// What supervisors add to the agents' desk.
const RESPONSIBLE: &[Permission] = &[
    P::SeeSocialNotes,
    P::MergePersons,
    P::ViewStructureStatistics,
    P::SeeTeamFollowUps,
    P::ManageTeam,
    P::ManagePolicy,
    P::HandleRights,
    P::ManageCatalogue,
    P::ManagePlaces,
];

/// What admins of the instance add.
const INSTANCE: &[Permission] = &[
    P::ViewInstanceStatistics,
    P::ImportPlaces,
    P::ManageStructures,
    P::SeeEmailBacklog,
];

/// The table: the permissions of each role, as layers.
const TABLE: &[(Role, &[&[Permission]])] = &[
    (Role::Mediator, &[DESK]),
    (Role::Agent, &[DESK, &[P::SeeSocialNotes]]),
    (Role::Supervisor, &[DESK, RESPONSIBLE]),
    (Role::Admin, &[DESK, RESPONSIBLE, INSTANCE]),
];

impl Role {
    /// The permissions of this role, from the table.
    pub fn permissions(self) -> impl Iterator<Item = Permission> {
        TABLE
            .iter()
            .filter(move |(r, _)| *r == self)
            .flat_map(|(_, layers)| layers.iter().flat_map(|l| l.iter().copied()))
    }

    /// Whether this role holds `p`.
    pub fn has(self, p: Permission) -> bool {
        self.permissions().any(|q| q == p)
    }

    /// Whether an actor holding `self` may give `other` to someone: they
    /// manage the team and `other` holds nothing `self` does not.
    pub fn can_grant(self, other: Role) -> bool {
        self.has(P::ManageTeam) && other.permissions().all(|p| self.has(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_a_row_and_every_permission_a_holder() {
        for r in Role::ALL {
            assert_eq!(TABLE.iter().filter(|(t, _)| *t == r).count(), 1, "{r}");
        }
        for p in Permission::ALL {
            assert!(Role::ALL.iter().any(|r| r.has(p)), "{p:?}");
        }
    }

    #[test]
    fn the_table_as_it_reads() {
        use Role::*;
        let holders = |p: Permission| -> Vec<Role> {
            let mut v: Vec<Role> = Role::ALL.into_iter().filter(|r| r.has(p)).collect();
            v.sort();
            v
        };
        assert_eq!(
            holders(P::RecordRequest),
            vec![Mediator, Agent, Supervisor, Admin]
        );
        assert_eq!(holders(P::SeeSocialNotes), vec![Agent, Supervisor, Admin]);
        for p in [
            P::ManageTeam,
            P::HandleRights,
            P::ManagePolicy,
            P::ManageCatalogue,
            P::ManagePlaces,
            P::ViewStructureStatistics,
            P::MergePersons,
            P::SeeTeamFollowUps,
        ] {
            assert_eq!(holders(p), vec![Supervisor, Admin], "{p:?}");
        }
        for p in [
            P::ManageStructures,
            P::ImportPlaces,
            P::ViewInstanceStatistics,
            P::SeeEmailBacklog,
        ] {
            assert_eq!(holders(p), vec![Admin], "{p:?}");
        }
    }

    #[test]
    fn who_gives_which_role() {
        use Role::*;
        assert!(Admin.can_grant(Admin));
        assert!(Supervisor.can_grant(Agent));
        assert!(Supervisor.can_grant(Mediator));
        assert!(Supervisor.can_grant(Supervisor));
        assert!(!Supervisor.can_grant(Admin));
        for r in Role::ALL {
            assert!(!Agent.can_grant(r));
            assert!(!Mediator.can_grant(r));
        }
    }
}
