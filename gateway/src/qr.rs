//! QR codes: SVG (TOTP enrolment, tickets on screen) and PNG (inline image in emails,
//! which rarely display SVG).

use qrcode::render::svg;
use qrcode::{Color, QrCode};

/// Pixels per module in PNGs.
const PNG_SCALE: usize = 6;
/// Quiet zone around the code, in modules.
const QUIET_MODULES: usize = 4;

/// An SVG image of `data`.
///
/// # Errors
/// When `data` is too long for a QR code.
pub fn svg(data: &str) -> Result<String, String> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| format!("qr code: {e}"))?;
    Ok(code.render::<svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

/// A grayscale PNG of `data`.
///
/// # Errors
/// When `data` is too long for a QR code, or encoding fails.
pub fn png(data: &str) -> Result<Vec<u8>, String> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| format!("qr code: {e}"))?;
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET_MODULES) * PNG_SCALE;
    let mut pixels = vec![255u8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (x, y) = (index % width + QUIET_MODULES, index / width + QUIET_MODULES);
        for dy in 0..PNG_SCALE {
            let row = (y * PNG_SCALE + dy) * side;
            pixels[row + x * PNG_SCALE..row + (x + 1) * PNG_SCALE].fill(0);
        }
    }
    let side_u32 = u32::try_from(side).map_err(|_| "qr code too large".to_owned())?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side_u32, side_u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| format!("png: {e}"))?;
    writer.write_image_data(&pixels).map_err(|e| format!("png: {e}"))?;
    writer.finish().map_err(|e| format!("png: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_svg_and_png() {
        let svg = super::svg("K7QM-2XD9").expect("svg");
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        let png = super::png("K7QM-2XD9").expect("png");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
