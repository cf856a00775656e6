//! Storage of published housing plans and freshmen's arrivals, for the public API: the queries
//! both backends share, generated for each by [`impl_housing!`] like `queries.rs`.
//!
//! Nothing here holds a phone or ID number; the second factor is stored only as a hash.

use crate::error::Result;
use async_trait::async_trait;
use zongwu_proto::public::{Arrival, Companion, PlanSummary, Roommate};

/// One student's bed as stored, with the plan it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAssignment {
    pub plan_id: String,
    pub plan_name: String,
    pub student_no: String,
    pub name: String,
    pub college: String,
    pub home_city: String,
    pub campus: String,
    pub building: String,
    pub room: String,
    pub bed: String,
    pub factor_hash: String,
}

/// A validated assignment to store: the second factor already hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssignment {
    pub student_no: String,
    pub name: String,
    pub college: String,
    pub home_city: String,
    pub campus: String,
    pub building: String,
    pub room: String,
    pub bed: String,
    pub factor_hash: String,
}

/// Who arrives when and where, and with whom they may travel: the companion query's filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanionQuery<'a> {
    pub plan_id: &'a str,
    pub student_no: &'a str,
    pub home_city: &'a str,
    pub station: &'a str,
    pub from_minute: i64,
    pub to_minute: i64,
    pub limit: i64,
}

/// Assignments per multi-row INSERT (10 parameters each).
pub(crate) const ASSIGNMENT_CHUNK: usize = 200;

#[async_trait]
pub trait HousingDb: Send + Sync {
    /// Store plan `id` with exactly these assignments (replacing any it had), in one transaction.
    /// Published plans get `published_at_ms = now_ms`; an unpublished one is not served.
    async fn put_plan(&self, id: &str, name: &str, published: bool, rows: &[NewAssignment], now_ms: i64) -> Result<PlanSummary>;
    async fn list_plans(&self) -> Result<Vec<PlanSummary>>;
    /// The student's bed in the most recently published plan that has them, and everyone else in
    /// that room of that plan, by bed; none when no published plan has them. One query: the
    /// public lookup's whole database cost (the caller checks the second factor before it shows
    /// anything).
    async fn published_room(&self, student_no: &str) -> Result<Option<(StoredAssignment, Vec<Roommate>)>>;
    async fn put_arrival(&self, student_no: &str, arrival: &Arrival, arrival_minute: i64, now_ms: i64) -> Result<()>;
    /// The arrival and its minute (since 1970-01-01, local time).
    async fn arrival(&self, student_no: &str) -> Result<Option<(Arrival, i64)>>;
    /// Opted-in students of the plan from `home_city` arriving at `station` within the minutes,
    /// the asking student left out, earliest first.
    async fn companions(&self, q: &CompanionQuery<'_>) -> Result<Vec<Companion>>;
    /// The value of `key` in `server_meta`, set to `fresh` first if it has none.
    async fn meta_or_init(&self, key: &str, fresh: &str) -> Result<String>;
}

macro_rules! impl_housing {
    ($backend:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::db::housing::HousingDb for $backend {
            #[tracing::instrument(skip_all, fields(plan = id, rows = rows.len()))]
            async fn put_plan(
                &self,
                id: &str,
                name: &str,
                published: bool,
                rows: &[$crate::db::housing::NewAssignment],
                now_ms: i64,
            ) -> $crate::error::Result<zongwu_proto::public::PlanSummary> {
                let _guard = self.write_guard().await;
                let mut tx = self.pool.begin().await?;
                let published_at = published.then_some(now_ms);
                sqlx::query(
                    "INSERT INTO housing_plans (id, name, published, published_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, published = excluded.published,
                         published_at_ms = excluded.published_at_ms, updated_at_ms = excluded.updated_at_ms",
                )
                .bind(id)
                .bind(name)
                .bind(published as i64)
                .bind(published_at)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM plan_assignments WHERE plan_id = $1").bind(id).execute(&mut *tx).await?;
                for chunk in rows.chunks($crate::db::housing::ASSIGNMENT_CHUNK) {
                    let sql = format!(
                        "INSERT INTO plan_assignments (plan_id, student_no, name, college, home_city, campus, building, room, bed, factor_hash) VALUES {}",
                        $crate::db::queries::values_placeholders(chunk.len(), 10)
                    );
                    let mut q = sqlx::query(&sql);
                    for r in chunk {
                        q = q
                            .bind(id)
                            .bind(&r.student_no)
                            .bind(&r.name)
                            .bind(&r.college)
                            .bind(&r.home_city)
                            .bind(&r.campus)
                            .bind(&r.building)
                            .bind(&r.room)
                            .bind(&r.bed)
                            .bind(&r.factor_hash);
                    }
                    q.execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(zongwu_proto::public::PlanSummary {
                    id: id.to_string(),
                    name: name.to_string(),
                    published,
                    published_at_ms: published_at,
                    assignments: rows.len() as i64,
                })
            }

            async fn list_plans(&self) -> $crate::error::Result<Vec<zongwu_proto::public::PlanSummary>> {
                use sqlx::Row;
                let rows = sqlx::query(
                    "SELECT p.id, p.name, p.published, p.published_at_ms,
                            (SELECT COUNT(*) FROM plan_assignments a WHERE a.plan_id = p.id) AS assignments
                     FROM housing_plans p ORDER BY p.id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(zongwu_proto::public::PlanSummary {
                            id: r.try_get("id")?,
                            name: r.try_get("name")?,
                            published: r.try_get::<i64, _>("published")? == 1,
                            published_at_ms: r.try_get("published_at_ms")?,
                            assignments: r.try_get("assignments")?,
                        })
                    })
                    .collect()
            }

            async fn published_room(
                &self,
                student_no: &str,
            ) -> $crate::error::Result<Option<($crate::db::housing::StoredAssignment, Vec<zongwu_proto::public::Roommate>)>> {
                use sqlx::Row;
                let rows = sqlx::query(
                    "WITH me AS (
                         SELECT p.id AS plan_id, p.name AS plan_name, a.student_no, a.name, a.college, a.home_city,
                                a.campus, a.building, a.room, a.bed, a.factor_hash
                         FROM plan_assignments a JOIN housing_plans p ON p.id = a.plan_id
                         WHERE a.student_no = $1 AND p.published = 1
                         ORDER BY p.published_at_ms DESC, p.id LIMIT 1)
                     SELECT me.*, r.student_no AS r_student_no, r.name AS r_name, r.college AS r_college,
                            r.home_city AS r_home_city
                     FROM me LEFT JOIN plan_assignments r
                       ON r.plan_id = me.plan_id AND r.campus = me.campus AND r.building = me.building
                      AND r.room = me.room AND r.student_no <> me.student_no
                     ORDER BY r.bed, r.student_no",
                )
                .bind(student_no)
                .fetch_all(&self.pool)
                .await?;
                let Some(first) = rows.first() else { return Ok(None) };
                let me = $crate::db::housing::StoredAssignment {
                    plan_id: first.try_get("plan_id")?,
                    plan_name: first.try_get("plan_name")?,
                    student_no: first.try_get("student_no")?,
                    name: first.try_get("name")?,
                    college: first.try_get("college")?,
                    home_city: first.try_get("home_city")?,
                    campus: first.try_get("campus")?,
                    building: first.try_get("building")?,
                    room: first.try_get("room")?,
                    bed: first.try_get("bed")?,
                    factor_hash: first.try_get("factor_hash")?,
                };
                let mut roommates = Vec::with_capacity(rows.len());
                for r in &rows {
                    if r.try_get::<Option<String>, _>("r_student_no")?.is_some() {
                        roommates.push(zongwu_proto::public::Roommate {
                            name: r.try_get("r_name")?,
                            college: r.try_get("r_college")?,
                            home_city: r.try_get("r_home_city")?,
                        });
                    }
                }
                Ok(Some((me, roommates)))
            }

            async fn put_arrival(
                &self,
                student_no: &str,
                a: &zongwu_proto::public::Arrival,
                arrival_minute: i64,
                now_ms: i64,
            ) -> $crate::error::Result<()> {
                let _guard = self.write_guard().await;
                sqlx::query(
                    "INSERT INTO arrivals (student_no, arrival_date, arrival_time, arrival_minute, station, travel_mode, companions, registered_at_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (student_no) DO UPDATE SET arrival_date = excluded.arrival_date,
                         arrival_time = excluded.arrival_time, arrival_minute = excluded.arrival_minute,
                         station = excluded.station, travel_mode = excluded.travel_mode,
                         companions = excluded.companions, registered_at_ms = excluded.registered_at_ms",
                )
                .bind(student_no)
                .bind(&a.arrival_date)
                .bind(&a.arrival_time)
                .bind(arrival_minute)
                .bind(&a.station)
                .bind(&a.travel_mode)
                .bind(a.companions as i64)
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn arrival(&self, student_no: &str) -> $crate::error::Result<Option<(zongwu_proto::public::Arrival, i64)>> {
                use sqlx::Row;
                let row = sqlx::query(
                    "SELECT arrival_date, arrival_time, arrival_minute, station, travel_mode, companions
                     FROM arrivals WHERE student_no = $1",
                )
                .bind(student_no)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    Ok((
                        zongwu_proto::public::Arrival {
                            arrival_date: r.try_get("arrival_date")?,
                            arrival_time: r.try_get("arrival_time")?,
                            station: r.try_get("station")?,
                            travel_mode: r.try_get("travel_mode")?,
                            companions: r.try_get::<i64, _>("companions")? == 1,
                        },
                        r.try_get("arrival_minute")?,
                    ))
                })
                .transpose()
            }

            async fn companions(
                &self,
                q: &$crate::db::housing::CompanionQuery<'_>,
            ) -> $crate::error::Result<Vec<zongwu_proto::public::Companion>> {
                use sqlx::Row;
                let rows = sqlx::query(
                    "SELECT a.name, a.college, a.home_city, r.station, r.arrival_date, r.arrival_time, r.travel_mode
                     FROM arrivals r JOIN plan_assignments a ON a.student_no = r.student_no AND a.plan_id = $1
                     WHERE r.companions = 1 AND r.station = $2 AND a.home_city = $3
                       AND r.arrival_minute >= $4 AND r.arrival_minute <= $5 AND r.student_no <> $6
                     ORDER BY r.arrival_minute, a.student_no LIMIT $7",
                )
                .bind(q.plan_id)
                .bind(q.station)
                .bind(q.home_city)
                .bind(q.from_minute)
                .bind(q.to_minute)
                .bind(q.student_no)
                .bind(q.limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(zongwu_proto::public::Companion {
                            name: r.try_get("name")?,
                            college: r.try_get("college")?,
                            home_city: r.try_get("home_city")?,
                            station: r.try_get("station")?,
                            arrival_date: r.try_get("arrival_date")?,
                            arrival_time: r.try_get("arrival_time")?,
                            travel_mode: r.try_get("travel_mode")?,
                        })
                    })
                    .collect()
            }

            async fn meta_or_init(&self, key: &str, fresh: &str) -> $crate::error::Result<String> {
                let _guard = self.write_guard().await;
                sqlx::query("INSERT INTO server_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(key)
                    .bind(fresh)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar("SELECT value FROM server_meta WHERE key = $1").bind(key).fetch_one(&self.pool).await?)
            }
        }
    };
}

pub(crate) use impl_housing;
