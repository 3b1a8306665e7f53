//! Places and services (imported directory and a structure's own places).

macro_rules! repo_places {
    () => {
        // ---- places ---------------------------------------------------------

        /// Inserts new places and services and updates those whose content
        /// changed, in one transaction with its journal entries.
        pub(crate) async fn upsert_places(
            pool: &Pool<Db>,
            places: &[PlaceRow],
            offers: &[PlaceOfferRow],
            events: impl Fn(UpsertCounts, UpsertCounts) -> Vec<JournalEvent>,
            now: DateTime<Utc>,
        ) -> Result<(UpsertCounts, UpsertCounts), StoreError> {
            let mut tx = pool.begin().await?;
            let mut counts = UpsertCounts::default();
            for p in places {
                let key = (p.source.as_str(), p.source_id.as_str(), p.content_hash.as_str());
                if !count_change(&mut tx, "places", key, &mut counts).await? {
                    continue;
                }
                // One statement for new and changed places; the id stays.
                upsert_place_tx(&mut tx, p).await?;
            }
            let mut offer_counts = UpsertCounts::default();
            for o in offers {
                let key = (o.source.as_str(), o.source_id.as_str(), o.content_hash.as_str());
                if count_change(&mut tx, "place_offers", key, &mut offer_counts).await? {
                    upsert_offer_tx(&mut tx, o).await?;
                }
            }
            append_journal(&mut tx, &events(counts, offer_counts), now).await?;
            tx.commit().await?;
            Ok((counts, offer_counts))
        }

        async fn count_change(
            tx: &mut Tx<'_>,
            table: &str,
            (source, source_id, hash): (&str, &str, &str),
            counts: &mut UpsertCounts,
        ) -> Result<bool, StoreError> {
            let mut q = Sql::new("SELECT content_hash FROM ");
            q.push(table).push(" WHERE source = ").push_bind(source);
            q.push(" AND source_id = ").push_bind(source_id);
            let existing: Option<(String,)> = q.build_query_as().fetch_optional(&mut **tx).await?;
            Ok(match existing {
                Some((h,)) if h == hash => {
                    counts.unchanged += 1;
                    false
                }
                Some(_) => {
                    counts.updated += 1;
                    true
                }
                None => {
                    counts.new += 1;
                    true
                }
            })
        }

        async fn upsert_place_tx(tx: &mut Tx<'_>, p: &PlaceRow) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO places (id, source, source_id, name, siret, address, postcode, \
                 commune, insee_code, latitude, longitude, phone, email, website, \
                 opening_hours, services, labels, access_modes, updated_on, content_hash, \
                 imported_at, rna, publics, fees, support_modes, description, structure_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                 $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) \
                 ON CONFLICT (source, source_id) DO UPDATE SET name = excluded.name, \
                 siret = excluded.siret, address = excluded.address, \
                 postcode = excluded.postcode, commune = excluded.commune, \
                 insee_code = excluded.insee_code, latitude = excluded.latitude, \
                 longitude = excluded.longitude, phone = excluded.phone, \
                 email = excluded.email, website = excluded.website, \
                 opening_hours = excluded.opening_hours, services = excluded.services, \
                 labels = excluded.labels, access_modes = excluded.access_modes, \
                 updated_on = excluded.updated_on, content_hash = excluded.content_hash, \
                 imported_at = excluded.imported_at, rna = excluded.rna, \
                 publics = excluded.publics, fees = excluded.fees, \
                 support_modes = excluded.support_modes, description = excluded.description, \
                 structure_id = excluded.structure_id",
            )
            .bind(p.id)
            .bind(&p.source)
            .bind(&p.source_id)
            .bind(&p.name)
            .bind(&p.siret)
            .bind(&p.address)
            .bind(&p.postcode)
            .bind(&p.commune)
            .bind(&p.insee_code)
            .bind(p.latitude)
            .bind(p.longitude)
            .bind(&p.phone)
            .bind(&p.email)
            .bind(&p.website)
            .bind(&p.opening_hours)
            .bind(&p.services)
            .bind(&p.labels)
            .bind(&p.access_modes)
            .bind(p.updated_on)
            .bind(&p.content_hash)
            .bind(p.imported_at)
            .bind(&p.rna)
            .bind(&p.publics)
            .bind(&p.fees)
            .bind(&p.support_modes)
            .bind(&p.description)
            .bind(p.structure_id)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Saves one of the structure's own places (source `relais`).
        pub(crate) async fn save_own_place(
            pool: &Pool<Db>,
            p: &PlaceRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            upsert_place_tx(&mut tx, p).await?;
            finish(tx, events, now).await
        }

        async fn upsert_offer_tx(tx: &mut Tx<'_>, o: &PlaceOfferRow) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO place_offers (id, source, source_id, structure_ref, name, \
                 description, kinds, thematiques, services, fees, publics, link, \
                 content_hash, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                 $10, $11, $12, $13, $14) ON CONFLICT (source, source_id) DO UPDATE SET \
                 structure_ref = excluded.structure_ref, name = excluded.name, \
                 description = excluded.description, kinds = excluded.kinds, \
                 thematiques = excluded.thematiques, services = excluded.services, \
                 fees = excluded.fees, publics = excluded.publics, link = excluded.link, \
                 content_hash = excluded.content_hash, imported_at = excluded.imported_at",
            )
            .bind(o.id)
            .bind(&o.source)
            .bind(&o.source_id)
            .bind(&o.structure_ref)
            .bind(&o.name)
            .bind(&o.description)
            .bind(&o.kinds)
            .bind(&o.thematiques)
            .bind(&o.services)
            .bind(&o.fees)
            .bind(&o.publics)
            .bind(&o.link)
            .bind(&o.content_hash)
            .bind(o.imported_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// The services a source publishes for one of its structures.
        pub(crate) async fn offers_of(
            pool: &Pool<Db>,
            source: &str,
            structure_ref: &str,
        ) -> Result<Vec<PlaceOfferRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT id, source, source_id, structure_ref, name, description, kinds, \
                 thematiques, services, fees, publics, link, content_hash, imported_at \
                 FROM place_offers WHERE source = $1 AND structure_ref = $2 ORDER BY name",
            )
            .bind(source)
            .bind(structure_ref)
            .fetch_all(pool)
            .await?)
        }

        /// The structure's own places.
        pub(crate) async fn own_places(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<PlaceRow>, StoreError> {
            let sql =
                format!("SELECT {PLACE_COLS} FROM places WHERE structure_id = $1 ORDER BY name");
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .fetch_all(pool)
                .await?)
        }

        const PLACE_COLS: &str = "id, source, source_id, name, siret, address, postcode, commune, \
            insee_code, latitude, longitude, phone, email, website, opening_hours, services, labels, \
            access_modes, updated_on, content_hash, imported_at, rna, publics, fees, support_modes, \
            description, structure_id";

        /// Places whose INSEE code or postcode starts with `prefix` (a
        /// département), or every place when it is empty.
        pub(crate) async fn places_in(
            pool: &Pool<Db>,
            prefix: &str,
        ) -> Result<Vec<PlaceRow>, StoreError> {
            let sql = format!(
                "SELECT {PLACE_COLS} FROM places WHERE insee_code LIKE $1 OR postcode LIKE $1 \
                 ORDER BY name"
            );
            Ok(sqlx::query_as(&sql)
                .bind(format!("{prefix}%"))
                .fetch_all(pool)
                .await?)
        }

        pub(crate) async fn place_by_id(
            pool: &Pool<Db>,
            id: Uuid,
        ) -> Result<Option<PlaceRow>, StoreError> {
            let sql = format!("SELECT {PLACE_COLS} FROM places WHERE id = $1");
            Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
        }
    };
}
