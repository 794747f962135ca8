//! The demo catalog: made-up films (titles, directors and cast are invented) and three
//! auditorium layouts. Used by [`crate::demo`].

use boxoffice_storage::FilmDraft;
use boxoffice_storage::layout::RowSpec;
use chrono::NaiveDate;

/// A demo film and whether it is shown in 3D.
pub struct DemoFilm {
    /// Its details.
    pub draft: FilmDraft,
    /// Shown in 3D in the big auditorium.
    pub three_d: bool,
}

#[allow(clippy::too_many_arguments)]
fn film(
    title: &str,
    original_title: Option<&str>,
    director: &str,
    cast: &[&str],
    duration_minutes: u32,
    genres: &[&str],
    age_rating: &str,
    languages: (&[&str], &[&str]),
    release: (i32, u32, u32),
    synopsis: &str,
) -> FilmDraft {
    let slug: String = title.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let strings = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    FilmDraft {
        title: title.into(),
        original_title: original_title.map(str::to_owned),
        director: director.into(),
        cast: strings(cast),
        duration_minutes,
        genres: strings(genres),
        age_rating: Some(age_rating.into()),
        synopsis: synopsis.into(),
        poster_url: Some(format!("/static/posters/{slug}.svg")),
        trailer_url: None,
        spoken_languages: strings(languages.0),
        subtitle_languages: strings(languages.1),
        release_date: NaiveDate::from_ymd_opt(release.0, release.1, release.2),
    }
}

/// Seven invented films.
#[must_use]
pub fn films() -> Vec<DemoFilm> {
    vec![
        DemoFilm {
            three_d: false,
            draft: film(
                "The Lighthouse Keeper's Daughter",
                None,
                "Maren Solberg",
                &["Ingrid Vasser", "Tomas Halloran", "Edie Marchetti"],
                128,
                &["drama"],
                "PG-13",
                (&["en"], &["fr"]),
                (2025, 9, 12),
                "On a storm-battered island, a young woman inherits her father's lighthouse and the secret he kept burning in it for thirty years.",
            ),
        },
        DemoFilm {
            three_d: true,
            draft: film(
                "Orbital Drift",
                None,
                "Kenji Aldana",
                &["Sofia Brandt", "Malik Osei", "Yuna Park", "Hector Vale"],
                142,
                &["science-fiction", "thriller"],
                "PG-13",
                (&["en"], &["fr", "de"]),
                (2025, 11, 5),
                "When a salvage crew answers a distress call at the edge of the solar system, they find their own ship already docked there.",
            ),
        },
        DemoFilm {
            three_d: false,
            draft: film(
                "Les Nuits de Cendre",
                Some("Les Nuits de Cendre"),
                "Céline Moreau-Aubry",
                &["Louis Ferrand", "Anaïs Delcourt", "Bastien Roux"],
                109,
                &["thriller", "crime"],
                "-12",
                (&["fr"], &["en"]),
                (2025, 10, 1),
                "Paris, 1962. A night-shift nurse recognises the man brought in with burns: he was declared dead the year before.",
            ),
        },
        DemoFilm {
            three_d: false,
            draft: film(
                "Paper Tigers",
                None,
                "Dana Whitcombe",
                &["Rory Castellano", "Priya Natarajan", "Gus Ellery"],
                97,
                &["comedy"],
                "PG",
                (&["en"], &["fr"]),
                (2025, 8, 20),
                "Three rival origami champions are forced to share a tiny van on the way to the world championship in Osaka.",
            ),
        },
        DemoFilm {
            three_d: true,
            draft: film(
                "Kestrel",
                None,
                "Aoife Brennan",
                &["Milo Hart (voice)", "Juniper Sale (voice)", "Otto Graves (voice)"],
                88,
                &["animation", "family"],
                "U",
                (&["en", "fr"], &["fr"]),
                (2025, 12, 3),
                "A small falcon who is afraid of heights must cross the Alps to bring the spring back to her valley.",
            ),
        },
        DemoFilm {
            three_d: false,
            draft: film(
                "The Salt Road",
                None,
                "Ezequiel Montaño",
                &["Cassius Reyes", "Leonor Aza", "Wade Tillman", "Ines Caro"],
                151,
                &["adventure", "western"],
                "PG-13",
                (&["en", "es"], &["fr", "en"]),
                (2025, 7, 18),
                "A caravan of salt traders crosses the Atacama with a stranger who claims to know where the water is.",
            ),
        },
        DemoFilm {
            three_d: false,
            draft: film(
                "Quiet Hours",
                None,
                "Lena Okafor",
                &["Niamh Doyle", "Sami Haddad"],
                114,
                &["romance", "drama"],
                "PG",
                (&["en"], &["fr"]),
                (2025, 11, 21),
                "Two night-radio hosts on rival stations fall for each other's voices without ever meeting.",
            ),
        },
    ]
}

fn rows(spec: &[(&str, &str)]) -> Vec<RowSpec> {
    spec.iter().map(|(label, seats)| RowSpec { label: (*label).into(), seats: (*seats).into() }).collect()
}

/// The big auditorium: 436 seats, two aisles, wheelchair spaces with companion seats in
/// row A, premium rows N to Q, loveseat pairs in row T.
#[must_use]
pub fn grand_layout() -> Vec<RowSpec> {
    const STANDARD: &str = "SSSSS|SSSSSSSSSSSS|SSSSS";
    const PREMIUM: &str = "PPPPP|PPPPPPPPPPPP|PPPPP";
    let mut spec = vec![("A", "WCWCS|SSSSSSSSSSSS|SWCWC")];
    spec.extend(["B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M"].map(|l| (l, STANDARD)));
    spec.extend(["N", "O", "P", "Q"].map(|l| (l, PREMIUM)));
    spec.extend(["R", "S"].map(|l| (l, STANDARD)));
    spec.push(("T", "LL_LL|LL_LL_LL_LL_LL|LL_LL"));
    rows(&spec)
}

/// The middle auditorium: 150 seats, one aisle, wheelchair spaces in row A, premium rows.
#[must_use]
pub fn middle_layout() -> Vec<RowSpec> {
    const STANDARD: &str = "SSSSSSS|SSSSSSSS";
    let mut spec = vec![("A", "WCSSSSS|SSSSSSWC")];
    spec.extend(["B", "C", "D", "E", "F", "G", "H"].map(|l| (l, STANDARD)));
    spec.extend(["I", "J"].map(|l| (l, "PPPPPPP|PPPPPPPP")));
    rows(&spec)
}

/// The small club room: 58 seats with loveseats at the back.
#[must_use]
pub fn club_layout() -> Vec<RowSpec> {
    let mut spec: Vec<(&str, &str)> = ["A", "B", "C", "D", "E"].map(|l| (l, "SSSSS|SSSSS")).to_vec();
    spec.push(("F", "LL_LL|LL_LL"));
    rows(&spec)
}

#[cfg(test)]
mod tests {
    use boxoffice_storage::{LayoutSpec, SeatLayout};

    use super::*;

    #[test]
    fn layouts_are_valid_and_sized() {
        let grand = SeatLayout::parse(LayoutSpec { rows: grand_layout() }).expect("grand");
        assert!(grand.capacity() >= 400, "{}", grand.capacity());
        let middle = SeatLayout::parse(LayoutSpec { rows: middle_layout() }).expect("middle");
        assert_eq!(middle.capacity(), 150);
        let club = SeatLayout::parse(LayoutSpec { rows: club_layout() }).expect("club");
        assert!((50..=70).contains(&club.capacity()));
    }

    #[test]
    fn films_validate() {
        let films = films();
        assert!((6..=8).contains(&films.len()));
        for f in films {
            f.draft.validate().expect("valid demo film");
        }
    }
}
