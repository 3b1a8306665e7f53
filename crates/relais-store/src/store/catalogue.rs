//! A structure's catalogue.

use super::prelude::*;

impl Store {
    pub async fn procedure_settings_of(
        &self,
        structure_id: StructureId,
    ) -> Result<Vec<ProcedureSettingRow>, StoreError> {
        dispatch!(self, read, procedure_settings_of(structure_id.0))
    }

    /// Saves the settings of several procedures in one transaction.
    pub async fn save_procedure_settings(
        &self,
        rows: &[ProcedureSettingRow],
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, save_procedure_settings(rows, events, now))
    }

    pub async fn local_procedures_of(
        &self,
        structure_id: StructureId,
    ) -> Result<Vec<LocalProcedureRow>, StoreError> {
        dispatch!(self, read, local_procedures_of(structure_id.0))
    }

    pub async fn save_local_procedure(
        &self,
        r: &LocalProcedureRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, save_local_procedure(r, events, now))
    }

    pub async fn delete_local_procedure(
        &self,
        structure_id: StructureId,
        id: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            delete_local_procedure(structure_id.0, id, events, now)
        )
    }

    pub async fn channels_of(
        &self,
        structure_id: StructureId,
    ) -> Result<Vec<OperatorChannelRow>, StoreError> {
        dispatch!(self, read, channels_of(structure_id.0))
    }

    pub async fn save_channel(
        &self,
        r: &OperatorChannelRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, save_channel(r, events, now))
    }

    pub async fn delete_channel(
        &self,
        structure_id: StructureId,
        operator_id: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            delete_channel(structure_id.0, operator_id, events, now)
        )
    }
}
