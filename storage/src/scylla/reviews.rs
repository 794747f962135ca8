//! Reviews for [`ScyllaStorage`]: one row per film and customer in `reviews_by_film` (the
//! primary key is the one-review-per-film rule, claimed with `IF NOT EXISTS`), the record
//! as JSON, and `review_index` to find a review by id.

use super::rows::{self, text, uuid};
use super::session::ScyllaStorage;
use super::statements::{Bound, Stmt};
use crate::catalog::{Page, PageRequest};
use crate::error::{StorageError, StorageResult};
use crate::ids::{FilmId, ReviewId};
use crate::reviews::{Review, ReviewSummary};

impl ScyllaStorage {
    pub(super) async fn review_insert(&self, review: &Review) -> StorageResult<()> {
        let record = rows::to_json("review", review)?;
        let (film, customer, id) = (review.film_id.as_uuid(), review.customer_id.as_uuid(), review.id.as_uuid());
        // The index first: a review found by id but not (yet) in its film is simply absent.
        self.run(Bound::new(Stmt::ReviewIndexPut, vec![uuid(id), uuid(film), uuid(customer)])).await?;
        let put = Bound::new(Stmt::ReviewPut, vec![uuid(film), uuid(customer), uuid(id), text(record)]);
        if self.run(put).await?.applied() { Ok(()) } else { Err(StorageError::Duplicate("review")) }
    }

    pub(super) async fn review_get(&self, id: ReviewId) -> StorageResult<Option<Review>> {
        let index = self.run(Bound::new(Stmt::ReviewIndexGet, vec![uuid(id.as_uuid())])).await?;
        let Some(row) = index.rows.first() else { return Ok(None) };
        let film = rows::get_uuid(row, 0, "review film")?;
        let customer = rows::get_uuid(row, 1, "review customer")?;
        let found = self.run(Bound::new(Stmt::ReviewGet, vec![uuid(film), uuid(customer)])).await?;
        match found.rows.first() {
            Some(row) => {
                let review: Review = rows::from_json("review", &rows::get_text(row, 0, "review")?)?;
                Ok((review.id == id).then_some(review))
            }
            None => Ok(None),
        }
    }

    async fn reviews_all(&self, film: FilmId) -> StorageResult<Vec<Review>> {
        let rows = self.run_all(Bound::new(Stmt::ReviewsOfFilm, vec![uuid(film.as_uuid())])).await?;
        rows.iter().map(|row| rows::from_json("review", &rows::get_text(row, 0, "review")?)).collect()
    }

    pub(super) async fn reviews_page(
        &self,
        film: FilmId,
        include_hidden: bool,
        page: PageRequest,
    ) -> StorageResult<Page<Review>> {
        let mut all = self.reviews_all(film).await?;
        all.retain(|r| include_hidden || !r.hidden);
        all.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        let total = u64::try_from(all.len()).unwrap_or(u64::MAX);
        let items = all.into_iter().skip(page.offset as usize).take(page.limit as usize).collect();
        Ok(Page { items, total, offset: page.offset, limit: page.limit })
    }

    pub(super) async fn reviews_summary(&self, film: FilmId) -> StorageResult<ReviewSummary> {
        Ok(ReviewSummary::of(self.reviews_all(film).await?.into_iter().filter(|r| !r.hidden).map(|r| r.rating)))
    }

    pub(super) async fn review_set_hidden(&self, id: ReviewId, hidden: bool) -> StorageResult<()> {
        let Some(mut review) = self.review_get(id).await? else {
            return Err(StorageError::NotFound { entity: "review", id: id.to_string() });
        };
        review.hidden = hidden;
        let record = rows::to_json("review", &review)?;
        let values = vec![text(record), uuid(review.film_id.as_uuid()), uuid(review.customer_id.as_uuid())];
        self.run(Bound::new(Stmt::ReviewUpdate, values)).await?;
        Ok(())
    }
}
