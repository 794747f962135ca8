//! Short human booking references such as `K7QM-2XD9`: 8 characters from an alphabet
//! without look-alikes (no 0/O, 1/I/L), about 40 bits of randomness.

use rand::Rng;

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A fresh random reference, `XXXX-XXXX`.
#[must_use]
pub fn booking_reference() -> String {
    let mut rng = rand::rng();
    let mut out = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            out.push('-');
        }
        let c = ALPHABET[rng.random_range(0..ALPHABET.len())];
        out.push(char::from(c));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_have_the_documented_shape() {
        let r = super::booking_reference();
        assert_eq!(r.len(), 9);
        assert_eq!(r.as_bytes()[4], b'-');
        assert!(r.chars().filter(|c| *c != '-').all(|c| super::ALPHABET.contains(&(c as u8))));
    }
}
