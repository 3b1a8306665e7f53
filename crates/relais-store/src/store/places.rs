//! Places and services.

use super::prelude::*;

impl Store {
    /// Saves imported places and services: new ones inserted, changed
    /// ones updated, in one transaction; (places, services) counts.
    pub async fn upsert_places(
        &self,
        places: &[PlaceRow],
        offers: &[PlaceOfferRow],
        events: impl Fn(UpsertCounts, UpsertCounts) -> Vec<JournalEvent>,
        now: DateTime<Utc>,
    ) -> Result<(UpsertCounts, UpsertCounts), StoreError> {
        dispatch!(self, write, upsert_places(places, offers, events, now))
    }

    pub async fn places_in(&self, prefix: &str) -> Result<Vec<PlaceRow>, StoreError> {
        dispatch!(self, read, places_in(prefix))
    }

    pub async fn place_by_id(&self, id: PlaceId) -> Result<Option<PlaceRow>, StoreError> {
        dispatch!(self, read, place_by_id(id.0))
    }

    pub async fn save_own_place(
        &self,
        place: &PlaceRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, save_own_place(place, events, now))
    }

    pub async fn own_places(&self, structure_id: StructureId) -> Result<Vec<PlaceRow>, StoreError> {
        dispatch!(self, read, own_places(structure_id.0))
    }

    pub async fn offers_of(
        &self,
        source: &str,
        structure_ref: &str,
    ) -> Result<Vec<PlaceOfferRow>, StoreError> {
        dispatch!(self, read, offers_of(source, structure_ref))
    }
}
